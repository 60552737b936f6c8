"""The shape of the knowledge-base files, defined once.

These pydantic models are what the loader validates each YAML file against, and
the JSON Schemas in ``knowledge/schema/`` are generated from them
(``smassist kb schema``), so editors and the loader never disagree.

Only the loader (a cold path) imports this module: answering a question from a
cached knowledge base never needs pydantic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80),
    Field(description="Lower-case letters, digits and hyphens, e.g. charter-adoption-2018."),
]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

Unit = Literal["percent", "count", "million", "fraction", "times"]
Qualifier = Literal["more-than", "less-than", "about", "nearly", "up-to"]
Scope = Literal["france", "usa", "switzerland", "germany", "world", "unspecified"]


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """The same text in French and in English."""

    fr: NonEmpty
    en: NonEmpty


class Article(Strict):
    """An article in which figures were read (a file in the sources folder)."""

    id: Id = Field(description="The article file's stem, e.g. bestpractices-barometre-2017.")
    title: NonEmpty
    publisher: NonEmpty
    author: str | None = None
    published: str | None = Field(
        default=None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="Publication date as YYYY, YYYY-MM or YYYY-MM-DD.",
    )
    url: str | None = None
    license: str | None = None
    note: Text | None = Field(default=None, description="A caveat shown with the sources.")


class Sample(Strict):
    """Who answered a study: how many, and who they are."""

    size: int | None = Field(default=None, ge=1, description="Number of respondents, if given.")
    population: Text = Field(
        description="Who they are, phrased to follow the size: '427' + 'répondants en France'."
    )


class Study(Strict):
    """A survey or study that produced figures: who ran it, when, on whom."""

    id: Id
    name: Text
    by: list[NonEmpty] = Field(
        default_factory=list,
        description="Who ran the study; empty when the article does not say (sources then read 'author not given').",
    )
    year: int | None = Field(
        default=None, ge=1990, le=2100, description="Year of the fieldwork; leave empty if unknown."
    )
    year_note: Text | None = Field(
        default=None, description="Say why the year is missing or uncertain."
    )
    scope: Scope
    sample: Sample
    article: Id = Field(description="The article in which its figures were read.")


class Statistic(Strict):
    """One figure, as written in its article."""

    id: Id
    value: float = Field(description="The number as written: 84 for '84 %', 0.5 for 'la moitié'.")
    unit: Unit
    qualifier: Qualifier | None = Field(
        default=None, description="When the article says 'plus de', 'environ', 'moins de'..."
    )
    label: Text = Field(
        description="What the figure counts, phrased to follow it: '31 %' + 'des entreprises...'."
    )
    study: Id
    year: int | None = Field(
        default=None, ge=1990, le=2100, description="Only if it differs from the study's year."
    )
    article: Id | None = Field(
        default=None, description="Only if the figure was read in another article than the study's."
    )
    quote: NonEmpty = Field(
        description="The words of the article that give the figure, copied exactly."
    )
    topics: list[Id] = Field(default_factory=list)


class Topic(Strict):
    id: Id
    title: Text
    description: Text


class Questions(Strict):
    fr: list[NonEmpty] = Field(min_length=1)
    en: list[NonEmpty] = Field(min_length=1)


#: What sort of answer a question asks for (knowledge/vocabulary.yaml lists their phrases).
QuestionKind = Literal["figure", "recommendation", "method", "reason", "comparison", "trend"]


class Entry(Strict):
    """What the engine matches a question to, and the answer it gives."""

    id: Id
    topic: Id
    title: Text = Field(description="A short question naming the entry, shown on buttons.")
    questions: Questions = Field(description="Example questions, as people ask them.")
    answer: Text = Field(
        description='A Jinja2 template per language; cite figures with {{ stat("id") }}.'
    )
    statistics: list[Id] = Field(
        default_factory=list, description="Figures shown with the answer (with their source)."
    )
    follow_ups: list[Id] = Field(default_factory=list, description="Related entry ids.")
    openings: dict[QuestionKind, Text] = Field(
        default_factory=dict,
        description=(
            "For a question of that kind, this sentence replaces the answer's first one: "
            "a figure question opens with the figures (each with its year), a recommendation "
            'question with the recommendation. Templates like the answer ({{ stat("id") }}).'
        ),
    )


class Series(Strict):
    """Statistics that measure the same thing over years or places."""

    id: Id
    label: Text
    points: list[Id] = Field(min_length=2)
    note: Text | None = None


class SynonymGroup(Strict):
    """Words and phrases that mean the same thing to users."""

    terms: list[NonEmpty] = Field(min_length=2)
    lang: Literal["fr", "en", "any"] = "any"


class Phrases(Strict):
    """Phrases per language (matched as whole words, case and accents ignored)."""

    fr: list[NonEmpty] = Field(default_factory=list)
    en: list[NonEmpty] = Field(default_factory=list)


class QuestionKindPhrases(Strict):
    """How people ask for one kind of answer."""

    kind: QuestionKind
    phrases: Phrases


EntityKind = Literal["platform", "country", "company-size", "company", "population"]


class Entity(Strict):
    """Something a figure measures, and the words a question names it with."""

    id: Id
    kind: EntityKind
    name: Text = Field(description="How replies name it: 'Mastodon', 'les PME' / 'SMEs'.")
    names: list[NonEmpty] = Field(
        min_length=1,
        description="Words for it in questions and in figure labels, any language ('pme', 'sme').",
    )
    scope: Scope | None = Field(
        default=None, description="For a country: the study scope its figures carry."
    )
    grounded: bool = Field(
        default=True,
        description=(
            "False for words nearly every question uses ('entreprises'): never said to be "
            "uncovered."
        ),
    )


class Quantity(Strict):
    """What a figure question asks for (a cost, a time, a number of followers), and the
    figures that measure it: those of one of its ``units`` whose label holds one of its
    ``labels`` (a share of respondents, unit percent, never measures a cost)."""

    id: Id
    name: Text = Field(description="How replies name it: 'le coût (salaire, budget, prix)'.")
    phrases: Phrases = Field(description="How questions ask for it: 'combien coûte', 'how long'.")
    units: list[Unit] = Field(
        default_factory=list, description="Units a figure measuring it can have (count, million...)."
    )
    labels: list[NonEmpty] = Field(
        default_factory=list,
        description="Words of a figure's label that say it measures it ('euros', 'heures'); "
        "empty: any figure of those units.",
    )
    grounded: bool = Field(
        default=True,
        description="False for a quantity listed only for precedence (a share): never said to be "
        "unmeasured.",
    )


class VocabularyFile(Strict):
    """The words of questions: kinds of answer asked for, and the entities figures measure."""

    question_kinds: list[QuestionKindPhrases] = Field(
        default_factory=list,
        description="In order of precedence: the first kind whose phrase a question holds wins.",
    )
    entities: list[Entity] = Field(default_factory=list)
    quantities: list[Quantity] = Field(
        default_factory=list,
        description="In order of precedence: the first quantity whose phrase a question holds is "
        "what it asks for.",
    )


class OutOfScopeQuestions(Strict):
    fr: list[NonEmpty] = Field(default_factory=list)
    en: list[NonEmpty] = Field(default_factory=list)


class OutOfScopeGroup(Strict):
    """Questions of one kind that the assistant must decline."""

    about: NonEmpty = Field(description="What these questions are, e.g. small talk, IT support.")
    questions: OutOfScopeQuestions = Field(
        description="Questions people ask that the knowledge base must not answer."
    )


class OutOfScopeFile(Strict):
    out_of_scope: list[OutOfScopeGroup] = Field(default_factory=list)


class SourcesFile(Strict):
    articles: list[Article]
    studies: list[Study]


class StatisticsFile(Strict):
    statistics: list[Statistic]


class TopicsFile(Strict):
    topics: list[Topic]


class EntriesFile(Strict):
    entries: list[Entry]


class SeriesFile(Strict):
    series: list[Series] = Field(default_factory=list)
    brief: list[Id] = Field(
        default_factory=list, description="Statistic ids shown by 'brief', most important first."
    )


class SynonymsFile(Strict):
    synonyms: list[SynonymGroup] = Field(default_factory=list)
    stopwords: dict[Literal["fr", "en"], list[NonEmpty]] = Field(default_factory=dict)


#: Which model validates which file, and where its schema is written.
FILE_MODELS: dict[str, type[Strict]] = {
    "sources": SourcesFile,
    "statistics": StatisticsFile,
    "topics": TopicsFile,
    "entries": EntriesFile,
    "series": SeriesFile,
    "synonyms": SynonymsFile,
    "vocabulary": VocabularyFile,
    "out_of_scope": OutOfScopeFile,
}
