"""Load and validate a knowledge-base folder; every problem as ``file:line: message``.

The loader reads every file, reports every problem it finds in one run (not
only the first), and only returns a :class:`KnowledgeBase` when there are none.
It uses ``yaml.safe_load`` semantics (the SafeLoader's constructors), pydantic
models from :mod:`smassist.kb.models`, and a sandboxed Jinja2 environment with
``StrictUndefined`` to render every answer at load time, in both languages.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from smassist.kb import figures
from smassist.kb.files import (
    ENTRIES_DIR,
    REQUIRED_FILES,
    content_version,
    knowledge_files,
)
from smassist.kb.models import (
    EntriesFile,
    OutOfScopeFile,
    SeriesFile,
    SourcesFile,
    StatisticsFile,
    Strict,
    SynonymsFile,
    TopicsFile,
    VocabularyFile,
)
from smassist.kb.runtime import (
    LANGS,
    ArticleInfo,
    EntityInfo,
    EntryInfo,
    KnowledgeBase,
    Location,
    SeriesInfo,
    StatisticInfo,
    StudyInfo,
    TopicInfo,
    Vocabulary,
    display_path,
)


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} problem{'s' if count != 1 else ''} found in the knowledge base.")
        return "\n".join(lines)


# --- YAML with line numbers -------------------------------------------------


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap")


class _Lines:
    """Maps a path inside a YAML document (keys and list indexes) to its line."""

    def __init__(self, source: str = "") -> None:
        self.by_path: dict[tuple[Any, ...], int] = {}
        #: Texts written over several lines (``fr: |`` blocks, folded or wrapped ones): path ->
        #: (first line, last line, both 0-based, style), to place a problem inside them.
        self.texts: dict[tuple[Any, ...], tuple[int, int, str | None]] = {}
        self.source = source

    def line(self, path: tuple[Any, ...]) -> int:
        while path:
            if path in self.by_path:
                return self.by_path[path]
            path = path[:-1]
        return self.by_path.get((), 1)

    def line_in_text(self, path: tuple[Any, ...], value: str, text_line: int | None = None,
                     needle: str | None = None) -> int:
        """The file line of a problem inside the text at ``path`` (``value``, as read): its
        ``text_line``-th line (1-based), or the first line holding ``needle``; the text's own
        line when it is on one line or the problem cannot be placed."""
        span = self.texts.get(path)
        if span is None:
            return self.line(path)
        first, last, style = span
        lines = self.source.splitlines()
        written = range(first, min(last, len(lines) - 1) + 1)
        if style == "|" and text_line is not None:  # a literal block keeps its lines as written
            return min(first + 1 + text_line, last + 1)
        if needle:
            for i in written:
                if needle in lines[i]:
                    return i + 1
        value_lines = value.split("\n")
        if text_line is not None and 1 <= text_line <= len(value_lines):
            # A folded or wrapped text joins lines: find where that line of it begins.
            head = value_lines[text_line - 1].strip()[:20]
            for i in written:
                if head and head in lines[i]:
                    return i + 1
        return self.line(path)


def _to_data(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: tuple[Any, ...],
    lines: _Lines,
    problems: list[Problem],
    file: str,
) -> Any:
    lines.by_path[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {node.tag!r} is not allowed (plain YAML only)", node.start_mark
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                problems.append(
                    Problem(file, key_node.start_mark.line + 1, "a key must be plain text")
                )
                continue
            if key in result:
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        f"'{key}' is given twice in the same block; keep one",
                    )
                )
                continue
            # The key's own line, so 'missing field' points at the block's first line.
            result[key] = _to_data(value_node, loader, (*path, key), lines, problems, file)
            lines.by_path.setdefault((*path, key), key_node.start_mark.line + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_data(item, loader, (*path, index), lines, problems, file)
            for index, item in enumerate(node.value)
        ]
    if node.start_mark.line != node.end_mark.line or node.style in ("|", ">"):
        lines.texts[path] = (node.start_mark.line, node.end_mark.line, node.style)
    return loader.construct_object(node, deep=True)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, file: str, problems: list[Problem]) -> tuple[Any, _Lines] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, 1, f"the file is not UTF-8 text ({exc.reason})"))
        return None
    except OSError as exc:
        problems.append(Problem(file, 1, f"cannot read the file: {exc.strerror}"))
        return None
    # libyaml's parser when PyYAML has it: same nodes and marks, about 25x faster than
    # the pure-Python one (a cold `smassist ask` spent most of its time here).
    lines = _Lines(text)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem(file, 1, "the file is empty"))
            return None
        data = _to_data(node, loader, (), lines, problems, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        hint = ""
        if exc.context == "while scanning a simple key" and exc.context_mark is not None:
            # Noticed on the line after; the line to fix is the one read as a key (often a
            # line of a `fr: |` text indented less than the text above it).
            mark = exc.context_mark
            hint = (" on this line, read as a field name (a field is 'name: value'; a line of "
                    "a text must be indented as much as the text above it)")
        elif "tab" in what.lower():
            hint = " (use spaces, not tabs, to indent)"
        elif "mapping values are not allowed" in what:
            hint = " (a text containing ': ' must be put in quotes)"
        elif "could not find expected ':'" in what or "expected <block end>" in what:
            hint = " (check the indentation of this line and the one before)"
        line = mark.line + 1 if mark else 1
        problems.append(Problem(file, line, f"YAML syntax error: {what}{hint}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(file, 1, f"YAML error: {exc}"))
        return None
    finally:
        loader.dispose()
    return data, lines


def _pydantic_problems(
    exc: ValidationError, lines: _Lines, file: str, model: type[Strict]
) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        where = _describe_loc(loc)
        kind = error["type"]
        if kind == "missing":
            message = f"missing field '{loc[-1]}'" + (f" in {_describe_loc(loc[:-1])}" if loc[:-1] else "")
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            hint = (" (a line of text read as a field: indent it as much as the text above it)"
                    if " " in name.strip() else " (misspelt? see the schema for the allowed fields)")
            message = f"unknown field '{_shorten(name)}'" + (
                f" in {_describe_loc(loc[:-1])}" if loc[:-1] else ""
            ) + hint
        elif kind == "literal_error":
            message = f"{where}: {error['msg'].replace('Input should be', 'must be')}, got {error['input']!r}"
        else:
            message = f"{where}: {error['msg']}"
            if "input" in error and not isinstance(error["input"], dict | list):
                message += f" (got {error['input']!r})"
            if isinstance(error.get("input"), bool):
                message += "; YAML reads yes/no/on/off as true/false: put the word in quotes"
        problems.append(Problem(file, lines.line(loc), message))
    return problems


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _describe_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        else:
            parts.append(f".{item}" if parts else str(item))
    return "".join(parts) or "the file"


# --- the loader -------------------------------------------------------------


@dataclass
class _Parsed:
    model: Any
    lines: _Lines
    #: As problems show it (:func:`display_path`).
    file: str
    #: Absolute, as :class:`Location` keeps it.
    where: str = ""


def _parse(path: Path, model: type[Strict], problems: list[Problem]) -> _Parsed | None:
    file = display_path(path)
    read = _read_yaml(path, file, problems)
    if read is None:
        return None
    data, lines = read
    if not isinstance(data, dict):
        problems.append(Problem(file, 1, "the file must be a mapping (key: value), not a list or a text"))
        return None
    try:
        return _Parsed(model.model_validate(data), lines, file, os.path.abspath(path))
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, lines, file, model))
        return None


def _closest(word: str, choices: Iterable[str]) -> str:
    from rapidfuzz import process

    found = process.extractOne(word, list(choices), score_cutoff=70)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _question_key(text: str) -> str:
    # '€' and '$' are words of questions ("50 €"), as answering/kinds.question_words reads them.
    text = text.replace("€", " euros ").replace("$", " dollars ")
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", folded))


def load(root: str | os.PathLike[str]) -> KnowledgeBase:
    """Load, validate and resolve the knowledge base in ``root``.

    Raises :class:`KnowledgeBaseError` listing every problem found.
    """
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise KnowledgeBaseError([Problem(str(root), 1, "no such knowledge-base folder")])
    for name in REQUIRED_FILES:
        if not (root / name).is_file():
            problems.append(Problem(display_path(root / name), 1, "this required file is missing"))
    files = knowledge_files(root)
    entry_files = [p for p in files if p.parent.name == ENTRIES_DIR]
    if not entry_files:
        problems.append(
            Problem(display_path(root / ENTRIES_DIR), 1, "no entry files (entries/*.yaml)")
        )

    def parse_optional(name: str, model: type[Strict]) -> _Parsed | None:
        path = root / name
        return _parse(path, model, problems) if path.is_file() else None

    sources = parse_optional("sources.yaml", SourcesFile)
    statistics = parse_optional("statistics.yaml", StatisticsFile)
    topics = parse_optional("topics.yaml", TopicsFile)
    series = parse_optional("series.yaml", SeriesFile)
    synonyms = parse_optional("synonyms.yaml", SynonymsFile)
    vocabulary = parse_optional("vocabulary.yaml", VocabularyFile)
    out_of_scope = parse_optional("out_of_scope.yaml", OutOfScopeFile)
    entries = [p for p in (_parse(path, EntriesFile, problems) for path in entry_files) if p]

    builder = _Builder(root, problems)
    kb = builder.build(sources, statistics, topics, entries, series, synonyms, files, out_of_scope)
    if kb is not None and vocabulary is not None:
        words = builder.vocabulary(vocabulary)
        kb = dataclasses.replace(kb, vocabulary=words) if words is not None else None
    if problems or kb is None:
        raise KnowledgeBaseError(problems)
    return kb


def _model_at(parsed: _Parsed, path: tuple[Any, ...]) -> Any:
    """The model object at ``path`` (keys and indexes) in a parsed file."""
    obj = parsed.model
    for key in path:
        obj = obj[key] if isinstance(key, int) else getattr(obj, key)
    return obj


@dataclass(frozen=True, slots=True)
class _Ids:
    """Where each id is defined; None for a kind whose file could not be read."""

    articles: dict[str, tuple[_Parsed, tuple[Any, ...]]] | None
    studies: dict[str, tuple[_Parsed, tuple[Any, ...]]] | None
    statistics: dict[str, tuple[_Parsed, tuple[Any, ...]]] | None
    topics: dict[str, tuple[_Parsed, tuple[Any, ...]]] | None
    entries: dict[str, tuple[_Parsed, tuple[Any, ...]]]
    sources_parsed: bool


class _Builder:
    """Cross-checks the parsed files and resolves them into a KnowledgeBase."""

    def __init__(self, root: Path, problems: list[Problem]):
        self.root = root
        self.problems = problems

    def report(self, parsed: _Parsed, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(parsed.file, parsed.lines.line(path), message))

    def report_in_text(self, parsed: _Parsed, path: tuple[Any, ...], value: str, message: str,
                       error: _TemplateProblem) -> None:
        """A problem inside a text, at the line of the text it is on (not the ``fr: |`` line)."""
        line = parsed.lines.line_in_text(path, value, error.line, error.needle)
        self.problems.append(Problem(parsed.file, line, message))

    def unique(self, items: list[tuple[_Parsed, tuple[Any, ...], str]], kind: str) -> dict[str, tuple[_Parsed, tuple[Any, ...]]]:
        seen: dict[str, tuple[_Parsed, tuple[Any, ...]]] = {}
        for parsed, path, item_id in items:
            if item_id in seen:
                first, first_path = seen[item_id]
                self.report(
                    parsed,
                    (*path, "id"),
                    f"duplicate {kind} id '{item_id}' (first defined at "
                    f"{first.file}:{first.lines.line((*first_path, 'id'))}); ids must be unique",
                )
            else:
                seen[item_id] = (parsed, path)
        return seen

    def check_ref(
        self, parsed: _Parsed, path: tuple[Any, ...], kind: str, ref: str,
        known: dict[str, Any] | None,
    ) -> bool:
        if known is None:  # the file defining these ids is broken: reported already
            return True
        if ref in known:
            return True
        self.report(parsed, path, f"unknown {kind} '{ref}'{_closest(ref, known)}")
        return False

    def build(
        self,
        sources: _Parsed | None,
        statistics: _Parsed | None,
        topics: _Parsed | None,
        entries: list[_Parsed],
        series: _Parsed | None,
        synonyms: _Parsed | None,
        files: list[Path],
        out_of_scope: _Parsed | None = None,
    ) -> KnowledgeBase | None:
        """The knowledge base from the parsed files, or None after reporting every problem.

        In two passes: the ids and the references between files first (all of
        them reported, each where it is written), then, when nothing is wrong, the
        runtime objects (figures formatted, answers rendered).
        """
        ids = self.collect_ids(sources, statistics, topics, entries)
        self.check_references(ids)
        examples = self.check_example_questions(ids.entries)
        declined = self.check_out_of_scope(out_of_scope, examples) if out_of_scope else ()
        series_infos, brief = self.build_series(series, ids)
        if self.problems or not (sources and statistics and topics):
            return None
        article_infos, study_infos = self.build_sources(sources)
        stat_infos = self.build_statistics(ids.statistics or {}, study_infos)
        topic_infos = {t.id: TopicInfo(t.id, t.title.model_dump(), t.description.model_dump())
                       for t in topics.model.topics}
        entry_infos = self.build_entries(ids.entries, stat_infos)
        if self.problems:
            return None
        synonym_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
        stopwords: dict[str, tuple[str, ...]] = {}
        if synonyms:
            synonym_groups = tuple((g.lang, tuple(g.terms)) for g in synonyms.model.synonyms)
            stopwords = {lang: tuple(words) for lang, words in synonyms.model.stopwords.items()}
        return KnowledgeBase(
            root=self.root,
            version=content_version(self.root, files),
            articles=article_infos,
            studies=study_infos,
            statistics=stat_infos,
            topics=topic_infos,
            entries=entry_infos,
            series=series_infos,
            brief=brief,
            synonyms=synonym_groups,
            stopwords=stopwords,
            out_of_scope=declined,
        )

    # --- pass 1: ids and references ----------------------------------------------------

    def collect_ids(self, sources: _Parsed | None, statistics: _Parsed | None,
                    topics: _Parsed | None, entries: list[_Parsed]) -> _Ids:
        """Every id, each once (duplicates reported); None for a kind whose file is broken."""
        articles = self.unique(
            [(sources, ("articles", i), a.id) for i, a in enumerate(sources.model.articles)]
            if sources else [], "article")
        studies = self.unique(
            [(sources, ("studies", i), s.id) for i, s in enumerate(sources.model.studies)]
            if sources else [], "study")
        stats = self.unique(
            [(statistics, ("statistics", i), s.id) for i, s in enumerate(statistics.model.statistics)]
            if statistics else [], "statistic")
        topic_ids = self.unique(
            [(topics, ("topics", i), t.id) for i, t in enumerate(topics.model.topics)]
            if topics else [], "topic")
        entry_ids = self.unique(
            [(p, ("entries", i), e.id) for p in entries for i, e in enumerate(p.model.entries)],
            "entry")
        # The ids of a broken file are not checked against.
        return _Ids(articles=articles if sources else None, studies=studies if sources else None,
                    statistics=stats if statistics else None,
                    topics=topic_ids if topics else None, entries=entry_ids,
                    sources_parsed=sources is not None)

    def check_references(self, ids: _Ids) -> None:
        """Each reference between files, reported where it is written; and values in range."""
        for parsed, path in (ids.studies or {}).values():
            study = _model_at(parsed, path)
            if ids.articles or ids.sources_parsed:
                self.check_ref(parsed, (*path, "article"), "article", study.article, ids.articles)
        for parsed, path in (ids.statistics or {}).values():
            stat = _model_at(parsed, path)
            self.check_ref(parsed, (*path, "study"), "study", stat.study, ids.studies)
            if stat.article is not None:
                self.check_ref(parsed, (*path, "article"), "article", stat.article, ids.articles)
            for i, topic in enumerate(stat.topics):
                self.check_ref(parsed, (*path, "topics", i), "topic", topic, ids.topics)
            if stat.unit == "fraction" and not 0 < stat.value <= 1:
                self.report(parsed, (*path, "value"), "a fraction is a number between 0 and 1 (0.5 for 'la moitié')")
            if stat.unit == "percent" and not 0 <= stat.value <= 100:
                self.report(parsed, (*path, "value"), "a percentage is between 0 and 100")
        for entry_id, (parsed, path) in ids.entries.items():
            entry = _model_at(parsed, path)
            self.check_ref(parsed, (*path, "topic"), "topic", entry.topic, ids.topics)
            for i, stat_id in enumerate(entry.statistics):
                self.check_ref(parsed, (*path, "statistics", i), "statistic", stat_id, ids.statistics)
            for i, follow in enumerate(entry.follow_ups):
                if self.check_ref(parsed, (*path, "follow_ups", i), "follow-up entry", follow, ids.entries) and follow == entry_id:
                    self.report(parsed, (*path, "follow_ups", i), "an entry cannot follow up on itself")

    def check_example_questions(
        self, entry_ids: dict[str, tuple[_Parsed, tuple[Any, ...]]]
    ) -> dict[str, tuple[str, _Parsed, tuple[Any, ...]]]:
        """Every example question has words and belongs to one entry only; returns them by key."""
        questions_seen: dict[str, tuple[str, _Parsed, tuple[Any, ...]]] = {}
        for entry_id, (parsed, path) in entry_ids.items():
            entry = _model_at(parsed, path)
            for lang in LANGS:
                for i, question in enumerate(getattr(entry.questions, lang)):
                    key = _question_key(question)
                    if not key:
                        self.report(parsed, (*path, "questions", lang, i), "an example question needs words")
                        continue
                    other = questions_seen.get(key)
                    if other and other[0] != entry_id:
                        self.report(
                            parsed, (*path, "questions", lang, i),
                            f"the example question '{question}' is also under entry '{other[0]}' "
                            f"({other[1].file}:{other[1].lines.line(other[2])}); keep it in one entry",
                        )
                    elif not other:
                        questions_seen[key] = (entry_id, parsed, (*path, "questions", lang, i))
        return questions_seen

    def check_out_of_scope(
        self, parsed: _Parsed, examples: dict[str, tuple[str, _Parsed, tuple[Any, ...]]]
    ) -> tuple[tuple[str, str], ...]:
        """The (lang, question) pairs to decline; an entry's example question cannot be one."""
        found: list[tuple[str, str]] = []
        seen: dict[str, tuple[Any, ...]] = {}
        for g, group in enumerate(parsed.model.out_of_scope):
            if not group.questions.fr and not group.questions.en:
                self.report(parsed, ("out_of_scope", g, "questions"),
                            f"the group '{group.about}' has no question (give fr: or en: questions)")
            for lang in LANGS:
                for i, question in enumerate(getattr(group.questions, lang)):
                    path = ("out_of_scope", g, "questions", lang, i)
                    key = _question_key(question)
                    if not key:
                        self.report(parsed, path, "an out-of-scope question needs words")
                        continue
                    example = examples.get(key)
                    if example:
                        self.report(parsed, path,
                                    f"'{question}' is an example question of entry '{example[0]}' "
                                    f"({example[1].file}:{example[1].lines.line(example[2])}); "
                                    "a question cannot be both answered and declined")
                    elif key in seen:
                        self.report(parsed, path, f"'{question}' is already listed "
                                    f"(line {parsed.lines.line(seen[key])})")
                    else:
                        seen[key] = path
                        found.append((lang, question))
        return tuple(found)

    def build_series(self, series: _Parsed | None,
                     ids: _Ids) -> tuple[dict[str, SeriesInfo], tuple[str, ...]]:
        """The series (their points checked) and the brief, from series.yaml."""
        series_infos: dict[str, SeriesInfo] = {}
        if not series:
            return series_infos, ()
        for sid, (parsed, path) in self.unique(
            [(series, ("series", i), s.id) for i, s in enumerate(series.model.series)], "series"
        ).items():
            item = _model_at(parsed, path)
            ok = all(
                self.check_ref(parsed, (*path, "points", i), "statistic", point, ids.statistics)
                for i, point in enumerate(item.points)
            )
            if ok and ids.statistics is not None and ids.studies is not None:
                self.check_series(parsed, path, item, ids.statistics, ids.studies, _model_at)
            series_infos[sid] = SeriesInfo(
                sid, item.label.model_dump(), tuple(item.points),
                item.note.model_dump() if item.note else None,
                Location(parsed.where, parsed.lines.line(path)),
            )
        for i, stat_id in enumerate(series.model.brief):
            self.check_ref(series, ("brief", i), "statistic", stat_id, ids.statistics)
            if stat_id in series.model.brief[:i]:
                self.report(series, ("brief", i), f"'{stat_id}' is already in the brief")
        if len(series.model.brief) > 10:
            self.report(series, ("brief", 10),
                        f"the brief lists {len(series.model.brief)} figures; it shows ten, keep the ten that matter most")
        return series_infos, tuple(series.model.brief)

    # --- pass 2: the runtime objects -------------------------------------------------------

    @staticmethod
    def build_sources(sources: _Parsed) -> tuple[dict[str, ArticleInfo], dict[str, StudyInfo]]:
        article_infos = {
            a.id: ArticleInfo(a.id, a.title, a.publisher, a.author, a.published, a.url,
                              a.note.model_dump() if a.note else None)
            for a in sources.model.articles
        }
        study_infos = {
            s.id: StudyInfo(s.id, s.name.model_dump(), tuple(s.by), s.year,
                            s.year_note.model_dump() if s.year_note else None, s.scope,
                            s.sample.size, s.sample.population.model_dump(), s.article)
            for s in sources.model.studies
        }
        return article_infos, study_infos

    @staticmethod
    def build_statistics(stats: dict[str, tuple[_Parsed, tuple[Any, ...]]],
                         study_infos: dict[str, StudyInfo]) -> dict[str, StatisticInfo]:
        """Each figure with its year, its words in both languages and its source line."""
        stat_infos: dict[str, StatisticInfo] = {}
        for stat_id, (parsed, path) in stats.items():
            stat = _model_at(parsed, path)
            study = study_infos[stat.study]
            year = stat.year if stat.year is not None else study.year
            formatted = {lang: figures.format_value(stat.value, stat.unit, lang, stat.qualifier) for lang in LANGS}
            stat_infos[stat_id] = StatisticInfo(
                id=stat.id, value=stat.value, unit=stat.unit, qualifier=stat.qualifier,
                label=stat.label.model_dump(), study=stat.study, year=year,
                article=stat.article or study.article, quote=stat.quote, topics=tuple(stat.topics),
                formatted=formatted,
                text={lang: figures.figure_text(formatted[lang], stat.label.model_dump()[lang]) for lang in LANGS},
                source={lang: figures.source_line(study.name[lang], year, study.sample_size,
                                                  study.population[lang], lang) for lang in LANGS},
                location=Location(parsed.where, parsed.lines.line(path)),
            )
        return stat_infos

    def build_entries(self, entry_ids: dict[str, tuple[_Parsed, tuple[Any, ...]]],
                      stat_infos: dict[str, StatisticInfo]) -> dict[str, EntryInfo]:
        """Each entry with its answers rendered (a template error is reported at its answer)."""
        renderer = _TemplateRenderer(stat_infos)
        entry_infos: dict[str, EntryInfo] = {}
        for entry_id, (parsed, path) in entry_ids.items():
            entry = _model_at(parsed, path)
            answers = {}
            cited: list[str] = []
            for lang in LANGS:
                template = getattr(entry.answer, lang)
                rendered, used, error = renderer.render(template, lang)
                if error:
                    self.report_in_text(parsed, (*path, "answer", lang), template,
                                        f"answer ({lang}): {error}", error)
                    continue
                answers[lang] = rendered
                cited.extend(s for s in used if s not in cited)
            openings: dict[str, dict[str, str]] = {}
            for kind, opening in entry.openings.items():
                for lang in LANGS:
                    template = getattr(opening, lang)
                    rendered, used, error = renderer.render(template, lang)
                    if error:
                        self.report_in_text(parsed, (*path, "openings", kind, lang), template,
                                            f"opening '{kind}' ({lang}): {error}", error)
                        continue
                    openings.setdefault(kind, {})[lang] = rendered
                    cited.extend(s for s in used if s not in cited)
            shown = tuple(dict.fromkeys([*cited, *entry.statistics]))
            entry_infos[entry_id] = EntryInfo(
                id=entry.id, topic=entry.topic, title=entry.title.model_dump(),
                questions={lang: tuple(getattr(entry.questions, lang)) for lang in LANGS},
                answer=answers, statistics=shown, follow_ups=tuple(entry.follow_ups),
                location=Location(parsed.where, parsed.lines.line(path)),
                openings=openings,
            )
        return entry_infos

    def vocabulary(self, parsed: _Parsed) -> Vocabulary | None:
        """The question-kind phrases and entities, checked: unique kinds, ids and names."""
        model = parsed.model
        before = len(self.problems)
        kinds: list[tuple[str, dict[str, tuple[str, ...]]]] = []
        for i, item in enumerate(model.question_kinds):
            if any(kind == item.kind for kind, _ in kinds):
                self.report(parsed, ("question_kinds", i, "kind"),
                            f"question kind '{item.kind}' is listed twice; give its phrases once")
                continue
            kinds.append((item.kind, {lang: tuple(getattr(item.phrases, lang)) for lang in LANGS}))
        self.unique([(parsed, ("entities", i), e.id) for i, e in enumerate(model.entities)], "entity")
        named: dict[str, str] = {}
        for i, entity in enumerate(model.entities):
            if entity.kind == "country" and entity.scope is None:
                self.report(parsed, ("entities", i), f"country '{entity.id}' needs a 'scope' "
                            "(the scope its studies carry, or 'unspecified')")
            for j, name in enumerate(entity.names):
                key = _question_key(name)
                if not key:
                    self.report(parsed, ("entities", i, "names", j), "a name needs words")
                elif key in named and named[key] != entity.id:
                    self.report(parsed, ("entities", i, "names", j),
                                f"'{name}' already names entity '{named[key]}'; a word names one thing")
                named.setdefault(key, entity.id)
        self.quantities(parsed, named)
        if len(self.problems) > before:
            return None
        return Vocabulary(
            kinds=tuple(kinds),
            entities=tuple(
                EntityInfo(e.id, e.kind, e.name.model_dump(), tuple(e.names), e.scope, e.grounded)
                for e in model.entities
            ),
            quantities=tuple(
                EntityInfo(q.id, "quantity", q.name.model_dump(),
                           tuple(dict.fromkeys([*q.phrases.fr, *q.phrases.en])), None, q.grounded,
                           tuple(q.units), tuple(q.labels))
                for q in model.quantities
            ),
        )

    def quantities(self, parsed: _Parsed, named: dict[str, str]) -> None:
        """Quantities: unique ids, phrases and label words with words, a phrase asking for one
        quantity and naming no entity ('salaries' names employees: it cannot ask for a cost)."""
        model = parsed.model
        self.unique([(parsed, ("quantities", i), q.id) for i, q in enumerate(model.quantities)],
                    "quantity")
        asked: dict[str, str] = {}
        for i, quantity in enumerate(model.quantities):
            if quantity.grounded and not quantity.units:
                self.report(parsed, ("quantities", i), f"quantity '{quantity.id}' needs 'units' "
                            "(the units of the figures that would measure it)")
            for lang in ("fr", "en"):
                for j, phrase in enumerate(getattr(quantity.phrases, lang)):
                    key = _question_key(phrase)
                    if not key:
                        self.report(parsed, ("quantities", i, "phrases", lang, j),
                                    "a phrase needs words")
                    elif key in asked and asked[key] != quantity.id:
                        self.report(parsed, ("quantities", i, "phrases", lang, j),
                                    f"'{phrase}' already asks for quantity '{asked[key]}'; "
                                    "a phrase asks for one thing")
                    elif key in named:
                        self.report(parsed, ("quantities", i, "phrases", lang, j),
                                    f"'{phrase}' names entity '{named[key]}'; a quantity's "
                                    "phrase must not")
                    asked.setdefault(key, quantity.id)
            for j, label in enumerate(quantity.labels):
                if not _question_key(label):
                    self.report(parsed, ("quantities", i, "labels", j), "a label word needs words")

    def check_series(self, parsed: _Parsed, path: tuple[Any, ...], item: Any,
                     stats: dict[str, tuple[_Parsed, tuple[Any, ...]]],
                     studies: dict[str, tuple[_Parsed, tuple[Any, ...]]], model_at: Any) -> None:
        points = [model_at(*stats[p]) for p in item.points]
        units = {p.unit for p in points}
        if len(units) > 1:
            self.report(parsed, (*path, "points"),
                        f"series '{item.id}' mixes units ({', '.join(sorted(units))}); a series compares like with like")
        keys = []
        for point in points:
            study = model_at(*studies[point.study]) if point.study in studies else None
            year = point.year if point.year is not None else (study.year if study else None)
            keys.append((year, study.scope if study else None))
        if len(set(keys)) < len(keys):
            self.report(parsed, (*path, "points"),
                        f"series '{item.id}' has two points with the same year and scope; each point must differ by year or by country")
        latest: tuple[int, str] | None = None
        for i, (point, (year, _)) in enumerate(zip(points, keys, strict=True)):
            if year is None:
                continue
            if latest is not None and year < latest[0]:
                self.report(parsed, (*path, "points", i),
                            f"series '{item.id}': '{point.id}' ({year}) comes after '{latest[1]}' "
                            f"({latest[0]}); list the points oldest first")
            if latest is None or year >= latest[0]:
                latest = (year, point.id)
        scopes = sorted({scope for _, scope in keys if scope is not None})
        if len(scopes) > 1 and item.note is None:
            self.report(parsed, path,
                        f"series '{item.id}' mixes countries ({', '.join(scopes)}): add a 'note' "
                        "saying its points are not the same population")


class _TemplateRenderer:
    """Renders answer templates in a sandbox; the user's text never reaches it."""

    def __init__(self, stats: dict[str, StatisticInfo]):
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.stats = stats
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                        keep_trailing_newline=False)

    def render(self, template: str, lang: str) -> tuple[str, list[str], _TemplateProblem | None]:
        from jinja2 import TemplateError, TemplateSyntaxError

        used: list[str] = []

        def lookup(stat_id: object) -> StatisticInfo:
            if not isinstance(stat_id, str) or stat_id not in self.stats:
                raise _TemplateRefError(f"unknown statistic '{stat_id}'{_closest(str(stat_id), self.stats)}",
                                        str(stat_id))
            if stat_id not in used:
                used.append(stat_id)
            return self.stats[stat_id]

        functions = {
            "stat": lambda i: lookup(i).formatted[lang],
            "figure": lambda i: lookup(i).text[lang],
            "source": lambda i: lookup(i).source[lang],
            "year": lambda i: str(lookup(i).year or ""),
        }
        try:
            text = self.env.from_string(template).render(**functions)
        except TemplateSyntaxError as exc:
            return "", used, _TemplateProblem(f"template syntax error: {exc.message}", exc.lineno)
        except _TemplateRefError as exc:
            return "", used, _TemplateProblem(str(exc), _template_line(exc), exc.name)
        except TemplateError as exc:
            return "", used, _TemplateProblem(f"template error: {exc.message or exc}", _template_line(exc))
        except Exception as exc:  # a template is admin input: any failure is a report, not a crash
            return "", used, _TemplateProblem(f"template error: {exc}", _template_line(exc))
        return text.strip(), used, None


class _TemplateRefError(Exception):
    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True, slots=True)
class _TemplateProblem:
    """What is wrong with a template, and where in it (its 1-based line, a word on that line)."""

    message: str
    line: int | None = None
    needle: str | None = None

    def __str__(self) -> str:
        return self.message


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised at: Jinja rewrites a render error's traceback so
    that the template's own frames carry its line numbers."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
