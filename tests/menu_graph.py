"""Every menu the assistant shows, read from the sources, and where each of its
buttons leads: the graph payload → rules → actions → next menus.

A menu is a response of domain/*.yml with buttons, or one ``utter_message(...,
buttons=...)`` (or ``json_message={..., "buttons": ...}``) call of actions/*.py
(its buttons read from the code: ``button`` calls, module constants, helpers, names imported from other action modules).
A payload leads to the actions of the rules that start with its intent (and
its entities, when the rule names some); a form leads to its questions and to
what runs when it completes.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Button:
    intent: str  # "!name" for a front action (bot/), "?" when the code computes it
    entities: tuple[tuple[str, str | None], ...] = ()  # None: computed in the code

    @classmethod
    def parse(cls, payload: str) -> Button:
        if payload.startswith("!"):
            return cls(payload)
        name, _, rest = payload.lstrip("/").partition("{")
        values = json.loads("{" + rest) if rest else {}
        return cls(name, tuple(sorted(values.items())))


@dataclass
class Menu:
    name: str
    source: str  # the file it is written in
    buttons: list[Button]


@dataclass
class Graph:
    menus: dict[str, Menu]
    shows: dict[str, list[str]]  # action or response → the menus it may show
    rules: list[tuple[Button, list[str]]]  # (intent and entities a rule starts with, its actions)
    forms: dict[str, list[str]]  # form → its questions' actions, then what completes it
    questions: dict[str, str] = field(default_factory=dict)  # menu asked by a form → the form
    unresolved: list[str] = field(default_factory=list)

    def after(self, button: Button) -> list[str]:
        """The actions that answer ``button`` (empty for a front action)."""
        keys = {key for key, _ in button.entities}
        actions = [a for start, acts in self.rules if start.intent == button.intent
                   and {k for k, _ in start.entities} <= keys for a in acts]
        return [f for a in actions for f in self.forms.get(a, [a])]

    def next_menus(self, menu: Menu) -> set[str]:
        # Any button of a form's question answers it: the form asks on, or completes.
        steps = self.forms.get(self.questions.get(menu.name, ""), [])
        actions = steps + [a for b in menu.buttons for a in self.after(b)]
        return {m for a in actions for m in self.shows.get(a, [])}


def _domain() -> tuple[dict[str, Any], dict[str, Any]]:
    responses: dict[str, Any] = {}
    forms: dict[str, Any] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        responses |= {name: (path, variants) for name, variants in (data.get("responses") or {}).items()}
        forms |= data.get("forms") or {}
    return responses, forms


def _response_buttons(variants: list[dict[str, Any]]) -> list[Button]:
    # Domain payloads double their braces (Rasa's interpolation gives single ones).
    return [Button.parse(b["payload"].replace("{{", "{").replace("}}", "}"))
            for v in variants for b in v.get("buttons") or []]


def _rules() -> list[tuple[Button, list[str]]]:
    found = []
    for path in sorted((ROOT / "stories").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            start: Button | None = None
            actions: list[str] = []
            for step in rule["steps"]:
                if "intent" in step:
                    if start:
                        found.append((start, actions))
                    names = [e if isinstance(e, str) else next(iter(e)) for e in step.get("entities") or []]
                    start, actions = Button(step["intent"], tuple((n, None) for n in names)), []
                elif "action" in step and start:
                    actions.append(step["action"])
            if start:
                found.append((start, actions))
    return found


def _completions(form: str) -> list[str]:
    """What the rules run once ``form`` is done (``- action: form``, ``- active_loop: null``)."""
    done = []
    for path in sorted((ROOT / "stories").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            steps = rule["steps"]
            if steps[:2] == [{"action": form}, {"active_loop": None}]:
                done += [s["action"] for s in steps[2:] if "action" in s]
    return done


class _ActionCode:
    """The menus of actions/*.py, read with ``ast``."""

    def __init__(self) -> None:
        self.tops: dict[str, dict[str, ast.AST]] = {}
        self.imports: dict[str, dict[str, tuple[str, str]]] = {}
        for path in sorted((ROOT / "actions").glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = path.stem
            self.tops[module] = {}
            self.imports[module] = {}
            for node in tree.body:
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("actions."):
                    for alias in node.names:
                        self.imports[module][alias.asname or alias.name] = (node.module[8:], alias.name)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    self.tops[module][node.name] = node
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.tops[module][target.id] = node.value

    def _resolve(self, module: str, name: str) -> tuple[str, ast.AST] | None:
        if name in self.tops[module]:
            return module, self.tops[module][name]
        if name in self.imports[module]:
            other, original = self.imports[module][name]
            return self._resolve(other, original)
        return None

    def _reached(self, module: str, node: ast.AST) -> list[tuple[str, ast.AST]]:
        """``node`` and the module-level code it names, transitively."""
        seen: dict[int, tuple[str, ast.AST]] = {}
        todo = [(module, node)]
        while todo:
            mod, current = todo.pop()
            if id(current) in seen:
                continue
            seen[id(current)] = (mod, current)
            for sub in ast.walk(current):
                found = self._resolve(mod, sub.id) if isinstance(sub, ast.Name) else None
                if found and not isinstance(found[1], ast.ClassDef):  # another action: not run
                    todo.append(found)
        return list(seen.values())

    def buttons(self, module: str, expr: ast.AST) -> list[Button]:
        found = []
        for _, node in self._reached(module, expr):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "button":
                    intent = call.args[1].value if isinstance(call.args[1], ast.Constant) else "?"
                    entities = tuple(sorted(
                        (k.arg or "?", k.value.value if isinstance(k.value, ast.Constant) else None)
                        for k in call.keywords))
                    found.append(Button(intent, entities))
        return found

    def actions(self) -> dict[str, tuple[str, ast.ClassDef]]:
        """Rasa action name → (module, class)."""
        named = {}
        for module, tops in self.tops.items():
            for node in tops.values():
                if isinstance(node, ast.ClassDef):
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.FunctionDef) and sub.name == "name":
                            value = sub.body[-1].value  # type: ignore[attr-defined]
                            if isinstance(value, ast.Constant):
                                named[value.value] = (module, node)
        return named

    def shows(self, module: str, cls: ast.ClassDef, menus: dict[str, Menu]) -> list[str]:
        """The menus an action may show: its own ``buttons=`` calls and the responses it names."""
        shown = []
        for mod, node in self._reached(module, cls):
            functions = [f for f in ast.walk(node) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
            for function in functions:
                for call in ast.walk(function):
                    value = _buttons_argument(call)
                    if value is not None and isinstance(call.func, ast.Attribute) and call.func.attr == "utter_message":  # type: ignore[attr-defined]
                        # A local list (``buttons = [...]``): the buttons its function builds.
                        local = isinstance(value, ast.Name) and not self._resolve(mod, value.id)
                        name = f"{mod}.py:{call.lineno}"  # type: ignore[attr-defined]
                        menus[name] = Menu(name, f"actions/{mod}.py",
                                           self.buttons(mod, function if local else value))
                        shown.append(name)
            shown += [c.value for c in ast.walk(node)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.startswith("utter_")]
        return list(dict.fromkeys(shown))


def _buttons_argument(call: ast.AST) -> ast.expr | None:
    """The buttons of an ``utter_message`` call: ``buttons=``, or the ``"buttons"``
    of a ``json_message={...}`` (the front's custom message, bot/messages.py)."""
    keywords = {k.arg: k.value for k in getattr(call, "keywords", [])}
    if "buttons" in keywords:
        return keywords["buttons"]
    custom = keywords.get("json_message")
    if isinstance(custom, ast.Dict):
        for key, value in zip(custom.keys, custom.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "buttons":
                return value
    return None


def build() -> Graph:
    responses, forms = _domain()
    menus = {name: Menu(name, str(path.relative_to(ROOT)), _response_buttons(variants))
             for name, (path, variants) in responses.items() if _response_buttons(variants)}
    shows = {name: [name] for name in menus}
    code = _ActionCode()
    for action, (module, cls) in code.actions().items():
        shows[action] = [m for m in code.shows(module, cls, menus) if m in menus]
    form_steps = {
        form: [q for slot in spec["required_slots"] for q in (f"utter_ask_{slot}", f"action_ask_{slot}")
               if q in shows] + _completions(form)
        for form, spec in forms.items()
    }
    # A question explained after two misses (utter_explain_<slot>) is still that question.
    questions = {
        m: form for form, spec in forms.items() for slot in spec["required_slots"]
        for q in (f"utter_ask_{slot}", f"action_ask_{slot}", f"utter_explain_{slot}")
        for m in shows.get(q, [])
    }
    graph = Graph(menus, shows, _rules(), form_steps, questions)
    graph.unresolved = sorted({
        f"{menu.name}: /{b.intent}" for menu in menus.values() for b in menu.buttons
        if b.intent not in {"?"} and not b.intent.startswith("!") and not graph.after(b)
    })
    return graph
