"""Check the assertions of packaging/tests/selinux-rules.txt against a binary SELinux policy.

Usage: python3 selinux-assert.py POLICY RULES
Prints one line per assertion, "PASS id ..." or "FAIL id ...", each with the sesearch command
that shows the rules it looked at; exits 1 when one failed, 2 on a malformed line.

The queries are setools' TERuleQuery, the engine of sesearch, run in one process so the policy
is loaded once. Matching is sesearch's default (a rule on an attribute applies to every type
that carries it), so an assertion speaks about what the domain may do, whichever rule grants it.
"""
import sys

import setools

USAGE = {
    "allow": 4, "never": 4, "only_with": 5, "exactly": 3,
    "transition": 4, "boolean": 2, "enforcing": 1,
}


def rule_booleans(rule):
    """The boolean names of a conditional rule, or None for a rule that needs no boolean."""
    try:
        return {str(b) for b in rule.conditional.booleans}
    except setools.exception.RuleNotConditional:
        return None


def active_by_default(policy, rule):
    """Whether the rule applies with every boolean at its default value."""
    names = rule_booleans(rule)
    if names is None:
        return True
    values = {n: policy.lookup_boolean(n).state for n in names}
    return rule.conditional.evaluate(**values) == rule.conditional_block


class RuleIndex:
    """The allow and type_transition rules of each source type, read once per source.

    A TERuleQuery walks every rule of the policy (about a second each on refpolicy), so the
    rules of a source are fetched once (sesearch -s SOURCE) and the target, class and
    permission filters are applied here, with sesearch's matching: a rule on an attribute
    applies to every type that carries it.
    """

    def __init__(self, policy):
        self.policy = policy
        self.by_source = {}
        self.members = {}

    def rules(self, source, ruletype):
        if source not in self.by_source:
            self.policy.lookup_type(source)  # InvalidType for a misspelt source
            query = setools.TERuleQuery(self.policy, ruletype=["allow", "type_transition"],
                                        source=source)
            self.by_source[source] = list(query.results())
        return [r for r in self.by_source[source] if str(r.ruletype) == ruletype]

    def applies_to(self, rule_target, target):
        name = str(rule_target)
        if name == target:
            return True
        if name not in self.members:
            try:
                self.members[name] = {str(t) for t in rule_target.expand()}
            except AttributeError:  # a type, not an attribute
                self.members[name] = {name}
        return target in self.members[name]

    def matching(self, ruletype, source, target, tclass, perms=None):
        if target is not None:
            self.policy.lookup_type(target)
        self.policy.lookup_class(tclass)
        found = []
        for rule in self.rules(source, ruletype):
            if str(rule.tclass) != tclass:
                continue
            if target is not None and not self.applies_to(rule.target, target):
                continue
            if perms is not None and not {str(p) for p in rule.perms} & set(perms):
                continue
            found.append(rule)
        return found


def allow_rules(index, source, target, tclass, perms):
    return index.matching("allow", source, target, tclass, perms)


def sesearch(source, target, tclass, perms=None, kind="--allow"):
    text = f"sesearch {kind} -s {source}"
    if target:
        text += f" -t {target}"
    text += f" -c {tclass}"
    if perms:
        text += f" -p {','.join(perms)}"
    return text + " POLICY"


def check_allow(index, source, target, tclass, perms):
    granted = set()
    for rule in allow_rules(index, source, target, tclass, perms):
        if rule_booleans(rule) is None:
            granted |= {str(p) for p in rule.perms}
    missing = [p for p in perms if p not in granted]
    if missing:
        return False, f"not granted without a boolean: {' '.join(missing)}"
    return True, f"allow {source} {target}:{tclass} {{ {' '.join(perms)} }}"


def check_never(index, source, target, tclass, perms):
    offending = [str(r) for r in allow_rules(index, source, target, tclass, perms)]
    if offending:
        return False, "granted by: " + " | ".join(offending[:3])
    return True, f"no rule gives {source} {target}:{tclass} {{ {' '.join(perms)} }}"


def check_only_with(index, source, target, tclass, perms, boolean):
    index.policy.lookup_boolean(boolean)
    rules = allow_rules(index, source, target, tclass, perms)
    without = [str(r) for r in rules if active_by_default(index.policy, r)]
    if without:
        return False, "granted without the boolean: " + " | ".join(without[:3])
    gated = {str(p) for r in rules if boolean in (rule_booleans(r) or set()) and r.conditional_block
             for p in r.perms}
    missing = [p for p in perms if p not in gated]
    if missing:
        return False, f"not granted even with {boolean} on: {' '.join(missing)}"
    return True, f"{source} {target}:{tclass} {{ {' '.join(perms)} }} only with {boolean} on"


def check_exactly(index, source, tclass, perms):
    granted = set()
    for rule in index.matching("allow", source, None, tclass):
        granted |= {str(p) for p in rule.perms}
    wanted = set() if perms == ["-"] else set(perms)
    if granted != wanted:
        extra = sorted(granted - wanted)
        lacking = sorted(wanted - granted)
        return False, (f"{tclass} granted: {' '.join(sorted(granted)) or 'none'}"
                       f" (extra: {' '.join(extra) or '-'}; lacking: {' '.join(lacking) or '-'})")
    return True, f"{tclass}: exactly {' '.join(sorted(granted)) or 'none'}"


def check_transition(index, source, target, tclass, default):
    rules = index.matching("type_transition", source, target, tclass)
    found = sorted({str(r.default) for r in rules if rule_booleans(r) is None})
    if default not in found:
        return False, f"no type_transition {source} {target}:{tclass} {default} (found: {found or 'none'})"
    return True, f"type_transition {source} {target}:{tclass} {default}"


def check_boolean(index, name, default):
    state = str(index.policy.lookup_boolean(name).state).lower()
    if state != default:
        return False, f"boolean {name} defaults to {state}, not {default}"
    return True, f"boolean {name} exists, default {default}"


def check_enforcing(index, name):
    if index.policy.lookup_type(name).ispermissive:
        return False, f"{name} is a permissive domain"
    return True, f"{name} is not permissive"


def evaluate(index, kind, args):
    """(passed, text) for one assertion, and the command that shows what it looked at."""
    if kind in ("allow", "never", "only_with"):
        source, target, tclass, perms = args[0], args[1], args[2], args[3].split(",")
        command = sesearch(source, target, tclass, perms)
        if kind == "allow":
            return check_allow(index, source, target, tclass, perms), command
        if kind == "never":
            return check_never(index, source, target, tclass, perms), command
        return check_only_with(index, source, target, tclass, perms, args[4]), command
    if kind == "exactly":
        return check_exactly(index, args[0], args[1], args[2].split(",")), sesearch(args[0], None, args[1])
    if kind == "transition":
        return check_transition(index, *args), sesearch(args[0], args[1], args[2], kind="-T")
    if kind == "boolean":
        return check_boolean(index, *args), f"seinfo -x -b {args[0]} POLICY"
    if kind == "enforcing":
        return check_enforcing(index, *args), "seinfo --permissive POLICY"
    raise ValueError(kind)


def main():
    index = RuleIndex(setools.SELinuxPolicy(sys.argv[1]))
    failed = 0
    with open(sys.argv[2], encoding="utf-8") as rules:
        for number, line in enumerate(rules, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            kind, ident, args = fields[0], fields[1] if len(fields) > 1 else "?", fields[2:]
            if kind not in USAGE or len(args) != USAGE[kind]:
                print(f"{sys.argv[2]}:{number}: malformed assertion: {line.strip()}")
                return 2
            try:
                (ok, text), command = evaluate(index, kind, args)
            except (setools.exception.InvalidType, setools.exception.InvalidClass,
                    setools.exception.InvalidBoolean, ValueError) as error:
                ok, text, command = False, f"{type(error).__name__}: {error}", ""
            if ok:
                print(f"PASS {ident}: {text}")
            else:
                failed += 1
                print(f"FAIL {ident}: {text}  [{command}]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
