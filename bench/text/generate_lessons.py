"""Generated transcribed lessons for the text-pattern benchmark (issue 15): tables of utterances in the
format of `vidseg train --data TABLE` (lesson, start, end, speaker, text, labels).

Six teacher-talk patterns carried by words, in Russian and English, with what makes real transcripts
hard for a bag of words: inflected forms that only occur in the test lessons (молодец / молодцы /
молодчина), cue words that students say too (a student's "почему?" is not an open question: the
speaker decides), neutral talk sharing the patterns' words, and 8% label noise. The generator is
seeded: the same arguments give the same tables."""
import argparse
import csv
import random

PATTERNS = {
    "praise": (["Молодец", "Отлично", "Умница", "Great job", "Well done", "Excellent", "Правильно, так держать"],
               ["Молодцы", "Молодчина", "Отличненько", "Умничка", "Brilliant work", "Superb"]),
    "open_question": (["Как ты думаешь, что будет дальше", "What do you think happens next", "Что ты заметил",
                       "How would you describe it"],
                      ["Как вы думаете, что произойдёт", "What might happen then", "Что вы заметили"]),
    "press_reasoning": (["Почему ты так считаешь", "Объясни своё решение", "Why do you say that", "Докажи это",
                         "Explain your reasoning"],
                        ["Обоснуй свой ответ", "Почему вы так решили", "Justify your answer"]),
    "revoicing": (["То есть ты говоришь, что", "So you are saying that", "Ты имеешь в виду, что", "In other words"],
                  ["Правильно ли я понял, что", "So what you mean is", "Иначе говоря"]),
    "personal_link": (["Вспомни, как у тебя дома", "Think about your own life", "Бывало ли с тобой такое",
                       "Have you ever seen this at home"],
                      ["Вспомните, как у вас дома", "In your own experience", "Случалось ли с вами такое"]),
    "instruction_check": (["Всем понятно задание", "Is everyone clear on the task", "Есть вопросы по заданию",
                           "Does everybody know what to do"],
                          ["Всем ясно, что делать", "Any questions about the task", "Все поняли задание"]),
}
TOPIC = ["вода кипит при ста градусах", "листья желтеют осенью", "the sun gives us light", "дроби складываются так",
         "the plant needs water", "треугольник имеет три угла", "the moon goes round the earth", "слово делится на слоги",
         "ice melts in the warm room", "сумма углов равна ста восьмидесяти"]
NEUTRAL_TEACHER = ["Откройте тетради", "Open your books at page", "Запишите число", "Let us read the text",
                   "Сейчас решим задачу", "Take a pencil", "Посмотрите на доску", "Now turn to your partner",
                   "Я думаю, это важно", "This is what happens next"]
STUDENT = ["Почему вода кипит", "I think it is because", "А можно выйти", "Я не понял", "Because of the sun",
           "Молодец Петя нарисовал", "Мне кажется, что", "What do we do next", "Я думаю, потому что", "It is hot"]


def utterance(rng, pattern, held_out):
    seen, unseen = PATTERNS[pattern]
    cue = rng.choice(unseen if held_out and rng.random() < 0.5 else seen)
    tail = rng.choice(TOPIC) if rng.random() < 0.7 else ""
    return (cue + (", " + tail if tail else "") + rng.choice(["?", ".", "!", ""])).strip()


def lesson_rows(rng, name, utterances, held_out):
    t = 0.0
    names = list(PATTERNS)
    for i in range(utterances):
        student = rng.random() < 0.3
        length = rng.uniform(1.5, 6.0)
        labels = []
        if student:
            text = rng.choice(STUDENT) + (" " + rng.choice(TOPIC) if rng.random() < 0.5 else "")
            speaker = "Pupil"
        else:
            speaker = "Teacher"
            if rng.random() < 0.35:
                pattern = rng.choice(names)
                labels = [pattern]
                text = utterance(rng, pattern, held_out)
            else:
                text = rng.choice(NEUTRAL_TEACHER) + (", " + rng.choice(TOPIC) if rng.random() < 0.5 else "")
        if rng.random() < 0.08:  # annotators disagree: a label dropped or one added
            labels = [] if labels else [rng.choice(names)]
        yield [name, f"{t:.2f}", f"{t + length:.2f}", speaker, text, ";".join(labels)]
        t += length + rng.uniform(0.2, 2.0)


def is_cyrillic(text):
    return any("\u0400" <= c <= "\u04ff" for c in text)


def keep_language(language):
    """Only the Russian or only the English phrases (every list has both); "both" keeps the lists as they
    are, so the tables of a seed stay what they were before this option existed."""
    if language == "both":
        return
    keep = (lambda t: is_cyrillic(t)) if language == "ru" else (lambda t: not is_cyrillic(t))
    for name, (seen, unseen) in PATTERNS.items():
        PATTERNS[name] = ([t for t in seen if keep(t)], [t for t in unseen if keep(t)])
    for phrases in (TOPIC, NEUTRAL_TEACHER, STUDENT):
        phrases[:] = [t for t in phrases if keep(t)]


def write_table(path, rng, lessons, utterances, held_out, prefix):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["lesson", "start", "end", "speaker", "text", "labels"])
        for k in range(lessons):
            for row in lesson_rows(rng, f"{prefix}{k:05d}", utterances, held_out):
                w.writerow(row)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="folder for train.csv, test.csv, lesson45.csv")
    ap.add_argument("--train-utterances", type=int, default=100_000)
    ap.add_argument("--test-lessons", type=int, default=40)
    ap.add_argument("--per-lesson", type=int, default=500)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--language", choices=["both", "ru", "en"], default="both",
                    help="phrases of both languages mixed (default), or of one")
    a = ap.parse_args()
    keep_language(a.language)
    rng = random.Random(a.seed)
    import os
    os.makedirs(a.out, exist_ok=True)
    write_table(os.path.join(a.out, "train.csv"), rng, max(1, a.train_utterances // a.per_lesson), a.per_lesson,
                False, "train")
    write_table(os.path.join(a.out, "test.csv"), rng, a.test_lessons, a.per_lesson, True, "test")
    # One 45-minute lesson (~600 utterances of ~4.5 s with pauses) to predict.
    write_table(os.path.join(a.out, "lesson45.csv"), rng, 1, 600, True, "lesson45_")


if __name__ == "__main__":
    main()
