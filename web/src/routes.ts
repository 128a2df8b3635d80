// The UI's pages by URL. Later slices add theirs here (issue 12): /datasets/:id/review (keyframe review),
// /intros (series intro timelines), /label-studio (projects and annotation pulls).
import type { MessageKey } from "./i18n/catalogue";
import type { Page } from "./page";
import { auditPage } from "./pages/audit";
import { introsPage } from "./pages/intros";
import { jobPage, jobsPage } from "./pages/jobs";
import { labelStudioPage } from "./pages/label_studio";
import { labelStudioProjectPage } from "./pages/label_studio_project";
import { reviewPage } from "./pages/review";
import { tokensPage } from "./pages/tokens";
import { uploadsPage } from "./pages/uploads";
import { usersPage } from "./pages/users";
import { videoPage, videosPage } from "./pages/videos";

export interface Route {
  path: RegExp;
  page: Page;
  nav?: { label: MessageKey; href: string };  // shown in the main menu
  adminOnly?: boolean;
}

export const routes: Route[] = [
  { path: /^\/uploads$/, page: uploadsPage, nav: { label: "nav.uploads", href: "/uploads" } },
  { path: /^\/videos$/, page: videosPage, nav: { label: "nav.videos", href: "/videos" } },
  { path: /^\/videos\/(\d+)$/, page: videoPage },
  { path: /^\/jobs$/, page: jobsPage, nav: { label: "nav.jobs", href: "/jobs" } },
  { path: /^\/jobs\/(\d+)$/, page: jobPage },
  { path: /^\/datasets\/(\d+)\/review$/, page: reviewPage },
  { path: /^\/intros$/, page: introsPage, nav: { label: "nav.intros", href: "/intros" } },
  { path: /^\/label-studio$/, page: labelStudioPage, nav: { label: "nav.labelStudio", href: "/label-studio" } },
  { path: /^\/label-studio\/(\d+)$/, page: labelStudioProjectPage },
  { path: /^\/tokens$/, page: tokensPage, nav: { label: "nav.tokens", href: "/tokens" } },
  { path: /^\/admin\/users$/, page: usersPage, nav: { label: "nav.users", href: "/admin/users" }, adminOnly: true },
  { path: /^\/admin\/audit$/, page: auditPage, nav: { label: "nav.audit", href: "/admin/audit" }, adminOnly: true },
];

export const homePath = "/videos";
