"""Grounding: what the figures of an answer measure, against what the question names.

A figure is never presented as the answer about something it does not measure.
When a question names a platform, a country, a year, a company size, a company
or a population, the entry's figures are checked against it:

- some of them measure it: those come first ("En 2017 : 30 % ...");
- none of them does, but another figure of the same topic does: that one comes first;
- nothing in the topic measures it: the reply says so before anything else
  ("Les articles n'ont pas de chiffre sur Mastodon ; ...").

The same holds for the quantity a figure question asks for (vocabulary
``quantities``): "combien coûte un community manager ?" asks for a cost, and a
share of respondents (unit percent) is not one; when no figure measures it, the
reply says so first ("Les articles ne donnent aucun chiffre sur le coût ...").
"""

from __future__ import annotations

from smassist.answering.kinds import (
    FIGURE_KINDS,
    SPECIFIC_ENTITIES,
    asked_quantity,
    mentions,
    named_entities,
    question_words,
)
from smassist.answering.replytexts import join_words, say
from smassist.kb.memo import memo
from smassist.kb.runtime import EntityInfo, EntryInfo, KnowledgeBase, StatisticInfo
from smassist.records import record


@record
class Grounding:
    """What to say first, and which figures to show first."""

    lead: str = ""
    first: tuple[str, ...] = ()  # statistic ids, shown before the entry's own
    covered: tuple[str, ...] = ()  # entity ids the figures measure
    uncovered: tuple[str, ...] = ()  # entity ids nothing in the topic measures

    def to_dict(self) -> dict[str, list[str]]:
        return {"covered": list(self.covered), "uncovered": list(self.uncovered)}


def covers(kb: KnowledgeBase, stat: StatisticInfo, entity: EntityInfo) -> bool:
    """True when ``stat`` measures ``entity`` (its year, its study's country, or its words).

    Remembered per knowledge-base version (statistic and entity ids name the same
    things within one), so a reply does not fold every statistic's words again.
    """
    if entity.kind == "quantity":  # its units, and (when it lists some) one of its label words
        return stat.unit in entity.units and (
            not entity.labels or any(_label_holds(stat.label[lang], entity.labels) for lang in stat.label))
    known = memo(kb, "covers")
    key = (stat.id, entity.id)
    found = known.get(key)
    if found is None:
        found = known[key] = _covers(kb, stat, entity)
    return found


def _covers(kb: KnowledgeBase, stat: StatisticInfo, entity: EntityInfo) -> bool:
    if entity.kind == "year":
        return stat.year is not None and str(stat.year) == entity.names[0]
    study = kb.studies[stat.study]
    if entity.kind == "country" and entity.scope not in (None, "unspecified") and study.scope == entity.scope:
        return True
    folded = memo(kb, "statistic words")
    words = folded.get(stat.id)
    if words is None:
        words = folded[stat.id] = question_words(
            " ".join([*stat.label.values(), *study.name.values(), *study.population.values(), *study.by]))
    return mentions(entity, words, folded=True)


def measured_anywhere(kb: KnowledgeBase, entity: EntityInfo) -> bool:
    """True when a figure of the knowledge base measures ``entity`` (remembered per version)."""
    known = memo(kb, "measured anywhere")
    key = (entity.kind, entity.id)
    found = known.get(key)
    if found is None:
        found = known[key] = any(covers(kb, s, entity) for s in kb.statistics.values())
    return found


def relevant_entities(kb: KnowledgeBase, question: str, kind: str | None,
                      reask: bool = False) -> list[EntityInfo]:
    """The entities of the question that grounding checks for this kind of question.

    A figure, comparison or trend question (or a follow-up such as "et en 2017 ?")
    is checked for everything it names; other questions only for platforms,
    countries, companies and company sizes: "notre charte date de 2015, on la
    refait ?" is not a question about 2015's figures. A year later than every
    dated figure of the knowledge base is checked for every kind: the articles
    cannot speak of it, and their older figures must not read as its answer.
    """
    found = [e for e in named_entities(kb.vocabulary, question) if e.grounded]
    quantity = asked_quantity(kb.vocabulary, question)
    if quantity is not None and quantity.grounded and (reask or kind is None or kind in FIGURE_KINDS):
        # "quel salaire pour un CM ?" asks for a salary even without "combien".
        found.insert(0, quantity)
    if reask or kind in FIGURE_KINDS:
        return found
    # A year after every dated figure of the knowledge base is checked whatever the
    # kind: "social selling en 2020 ?" must not get 2016-2018's figures as its answer.
    latest = latest_year(kb)
    return [e for e in found if e.kind in (*SPECIFIC_ENTITIES, "quantity")
            or (e.kind == "year" and latest is not None and int(e.names[0]) > latest)]


def latest_year(kb: KnowledgeBase) -> int | None:
    """The year of the knowledge base's most recent dated figure (None: none is dated)."""
    seen = memo(kb, "latest year")
    if None not in seen:
        seen[None] = max((s.year for s in kb.statistics.values() if s.year is not None), default=None)
    return seen[None]


def ground(kb: KnowledgeBase, entry: EntryInfo, entities: list[EntityInfo], lang: str) -> Grounding:
    """What the reply about ``entry`` must say first about the ``entities`` the question names."""
    if not entities or not entry.statistics:
        if entities and not entry.statistics:
            return _without_figures(kb, entry, entities, lang)
        return Grounding()
    own = [kb.statistics[s] for s in entry.statistics]
    topic = [s for s in kb.statistics_by_topic(entry.topic) if s.id not in entry.statistics]
    covered: list[str] = []
    uncovered: list[EntityInfo] = []
    first: list[StatisticInfo] = []
    for entity in entities:
        mine = [s for s in own if covers(kb, s, entity)]
        if mine:
            covered.append(entity.id)
            if len(mine) < len(own):  # only some measure it: those come first
                first.extend(s for s in mine if s not in first)
            continue
        others = [s for s in topic if covers(kb, s, entity)]
        if others:
            covered.append(entity.id)
            first.extend(s for s in others if s not in first)
        else:
            uncovered.append(entity)
    parts = []
    if uncovered:
        parts.append(_uncovered_sentence(kb, entry, own, uncovered, lang))
    if first:
        named = [e for e in entities if e.id in covered]
        parts.append(_covered_sentence(first, named, lang))
    return Grounding(" ".join(parts), tuple(s.id for s in first), tuple(covered),
                     tuple(e.id for e in uncovered))


def _without_figures(kb: KnowledgeBase, entry: EntryInfo, entities: list[EntityInfo],
                     lang: str) -> Grounding:
    """An entry with no figure: a figure-kind question about an entity gets told so."""
    topic = kb.statistics_by_topic(entry.topic)
    uncovered = [e for e in entities if not any(covers(kb, s, e) for s in topic)]
    if not uncovered:
        return Grounding()
    parts = []
    things = [e for e in uncovered if e.kind != "quantity"]
    if things:
        what = join_words([_entity_name(e, lang) for e in things], lang)
        parts.append(say(lang, "uncovered_no_figures", what=what))
    parts.extend(_quantity_sentence(kb, entry, e, lang) for e in uncovered if e.kind == "quantity")
    return Grounding(" ".join(parts), (), (), tuple(e.id for e in uncovered))


def _label_holds(label: str, words: tuple[str, ...]) -> bool:
    return mentions(EntityInfo("", "", {}, words), label)


def _quantity_sentence(kb: KnowledgeBase, entry: EntryInfo, quantity: EntityInfo, lang: str) -> str:
    """No figure measures what was asked: said in plain words, then what the articles do say."""
    topic = kb.topics.get(entry.topic)
    about = topic.title[lang] if topic is not None else entry.title[lang]
    return say(lang, "unmeasured_quantity", what=_entity_name(quantity, lang), about=about)


def _entity_name(entity: EntityInfo, lang: str) -> str:
    return entity.name.get(lang) or entity.names[0]


def _uncovered_sentence(kb: KnowledgeBase, entry: EntryInfo, own: list[StatisticInfo],
                        uncovered: list[EntityInfo], lang: str) -> str:
    years = [e for e in uncovered if e.kind == "year"]
    things = [e for e in uncovered if e.kind not in ("year", "quantity")]
    parts = []
    if things:
        kinds = {e.kind for e in things}
        measured = _measured(kb, own, kinds, lang)
        what = join_words([_entity_name(e, lang) for e in things], lang)
        if measured:
            parts.append(say(lang, "uncovered_measured", what=what, measured=join_words(measured, lang)))
        else:
            parts.append(say(lang, "uncovered_general", what=what))
    if years:
        have = sorted({s.year for s in own if s.year is not None})
        what = join_words([e.names[0] for e in years], lang)
        if have:
            parts.append(say(lang, "uncovered_year", years=what,
                             have=join_words([str(y) for y in have], lang)))
        else:
            parts.append(say(lang, "uncovered_year_undated", years=what))
    # The quantity last: its sentence ends on "ce qu'ils disent sur « ... » :", what follows.
    parts.extend(_quantity_sentence(kb, entry, e, lang) for e in uncovered if e.kind == "quantity")
    return " ".join(parts)


def _measured(kb: KnowledgeBase, own: list[StatisticInfo], kinds: set[str], lang: str) -> list[str]:
    """The names of the entities of those kinds that the entry's figures do measure."""
    names = []
    for entity in kb.vocabulary.entities:
        if entity.kind in kinds and entity.grounded and any(covers(kb, s, entity) for s in own):
            names.append(_entity_name(entity, lang))
    return names


def _covered_sentence(first: list[StatisticInfo], named: list[EntityInfo], lang: str) -> str:
    figures = [f"{s.formatted[lang]} {s.label[lang]} ({s.year if s.year else say(lang, 'undated')})"
               for s in first[:4]]
    what = join_words([_entity_name(e, lang) for e in named], lang)
    return say(lang, "covered", what=what, figures=say(lang, "list_sep").join(figures))


def unmeasured_anywhere(kb: KnowledgeBase, question: str, lang: str) -> tuple[str, tuple[str, ...]]:
    """For a reply that is not an answer (a decline, a 'did you mean'): the sentence saying that
    nothing in the base measures a platform, country or company the question names, or the
    quantity (a cost, a time) it asks for."""
    entities = [e for e in named_entities(kb.vocabulary, question)
                if e.grounded and e.kind in SPECIFIC_ENTITIES]
    quantity = asked_quantity(kb.vocabulary, question)
    if quantity is not None and quantity.grounded:
        entities.insert(0, quantity)
    missing = [e for e in entities if not measured_anywhere(kb, e)]
    if not missing:
        return "", ()
    what = join_words([_entity_name(e, lang) for e in missing], lang)
    return say(lang, "unmeasured_anywhere", what=what), tuple(e.id for e in missing)
