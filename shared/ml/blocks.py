"""Feature blocks: each turns one aspect of a posting into a sparse, named matrix.

Every block works in two steps so cross-validation can share work: `prepare`
does the per-row, label-free part once for the whole data set (tokenising,
counting against a global vocabulary), and `fit` / `transform_prepared` then
learn vocabulary, IDF and scaling from the training rows of a fold only.
`transform` handles new postings with what was learned.
"""

from shared.ml.embedding_block import EmbeddingBlock
from shared.ml.posting_facts import TokenBlock
from shared.ml.text_features import TextBlock

__all__ = ["Block", "EmbeddingBlock", "TextBlock", "TokenBlock", "default_blocks"]

Block = TextBlock | TokenBlock | EmbeddingBlock


def default_blocks(with_embedding: bool) -> list[Block]:
    blocks: list[Block] = [
        TextBlock("title_words", "title", "title", ngram_range=(1, 2)),
        TextBlock("title_chars", "title", "title chars", analyzer="char_wb", ngram_range=(3, 5)),
        TextBlock(
            "description",
            "description_text",
            "description",
            ngram_range=(1, 2),
            min_df=2,
            stop_words="english",
        ),
        TokenBlock("profile", "profile", numeric=True),
        TokenBlock("company", "company"),
        TokenBlock("skills", "skills"),
    ]
    if with_embedding:
        blocks.append(EmbeddingBlock())
    return blocks
