"""name_key folds a measure's name for matching: NFKC, case, and every punctuation, space and symbol dropped."""

import random
import unicodedata

from xlplan.core.parse import name_key


def _by_category(text: str) -> str:   # the definition, character by character
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZS")


def test_names_typed_differently_fold_the_same() -> None:
    assert name_key("「ＡＩ・RPAの導入」") == name_key("AI RPA の導入") == "airpaの導入"
    assert name_key("電子\u3000申請＿（ｵﾝﾗｲﾝ）") == "電子申請オンライン"


def test_the_translation_table_is_the_category_rule() -> None:
    rng = random.Random(19)
    texts = ["", "𠮷野家 ＿-_＊", "a\tb\nc\u00a0d", "½ ① ㍻ ﬁ"]
    texts += ["".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(30)) for _ in range(500)]
    for text in texts:
        assert name_key(text) == _by_category(text), text
