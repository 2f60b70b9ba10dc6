#!/usr/bin/env bash
# run-test-corpus.sh PXEMASQ_BINARY [DNSMASQ_BINARY]
#
# Side-by-side `--test` comparison of pxemasq against dnsmasq 2.90.
#
# For every compat/corpus/*.conf (sorted) it runs `BIN --test -C FILE`, and
# for every line of compat/cmdline-cases.txt it runs `BIN --test ARGS...`,
# both with compat/corpus as the working directory, stdin from /dev/null and
# a 10 second timeout. It compares the exit code and the verdict line (the
# last stderr line starting with "dnsmasq: " / "pxemasq: ", prefix removed;
# pxemasq lines starting with "pxemasq: warning:" are skipped, as are any
# lines not starting with the prefix, e.g. indented hints).
#
# Cases listed in compat/intended-differences.tsv are compared against the
# pxemasq result recorded there instead of dnsmasq's.
#
# Output: one line per case, then "compat: N passed, M failed".
# Exit: 0 all passed, 1 some case failed, 2 usage error / dnsmasq missing.

set -euo pipefail

readonly TIMEOUT_SECS=10

usage() {
    echo "usage: $0 PXEMASQ_BINARY [DNSMASQ_BINARY]" >&2
    exit 2
}

# Resolve a program name or path to an absolute path (we change directory).
resolve_bin() {
    local bin=$1 path
    if [[ $bin == */* ]]; then
        [[ -f $bin && -x $bin ]] || return 1
        path=$(cd "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")
    else
        path=$(command -v -- "$bin") || return 1
        [[ $path == /* ]] || return 1
    fi
    printf '%s\n' "$path"
}

[[ $# -ge 1 && $# -le 2 ]] || usage

if ! PXEMASQ=$(resolve_bin "$1"); then
    echo "$0: pxemasq binary not found or not executable: $1" >&2
    exit 2
fi
if ! DNSMASQ=$(resolve_bin "${2:-/usr/sbin/dnsmasq}"); then
    echo "$0: dnsmasq binary not found or not executable: ${2:-/usr/sbin/dnsmasq}" >&2
    echo "$0: the reference dnsmasq (2.90) is required; pass its path as the second argument" >&2
    exit 2
fi

HERE=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CORPUS=$HERE/corpus
CASES_FILE=$HERE/cmdline-cases.txt
INTENDED_FILE=$HERE/intended-differences.tsv
[[ -d $CORPUS ]] || { echo "$0: missing corpus directory $CORPUS" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxemasq-compat.XXXXXX")
trap 'rm -rf -- "$TMP"' EXIT

# A crashing program must not leave a core file in the corpus directory.
ulimit -c 0 2>/dev/null || true

# dnsmasq is built with i18n: under e.g. LANGUAGE=de and a non-C locale its
# messages (and strerror texts) are translated. Compare in the C locale.
export LC_ALL=C
unset LANGUAGE

# --- intended differences ------------------------------------------------
declare -A INTENDED_RC=() INTENDED_VERDICT=()
if [[ -f $INTENDED_FILE ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
        [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
        # split on single tabs (read with IFS=tab would merge empty fields)
        name=${line%%$'\t'*}
        rest=${line#*$'\t'}
        exp_rc=${rest%%$'\t'*}
        rest=${rest#*$'\t'}
        exp_verdict=${rest%%$'\t'*}
        if [[ $name == "$line" || ! $exp_rc =~ ^[0-9]+$ ]]; then
            echo "$0: malformed line in $INTENDED_FILE: $line" >&2
            exit 2
        fi
        INTENDED_RC[$name]=$exp_rc
        INTENDED_VERDICT[$name]=$exp_verdict
    done <"$INTENDED_FILE"
fi

# --- running one program ---------------------------------------------------
# run_prog BIN PREFIX SKIP_WARNINGS ARGS... -> sets RUN_RC and RUN_VERDICT
RUN_RC=0
RUN_VERDICT=
run_prog() {
    local bin=$1 prefix=$2 skip_warnings=$3
    shift 3
    local err=$TMP/stderr
    RUN_RC=0
    # The outer 2>/dev/null swallows bash's own "Segmentation fault" notice.
    {
        (cd "$CORPUS" && exec timeout -k 2 "$TIMEOUT_SECS" "$bin" --test "$@") \
            </dev/null >"$TMP/stdout" 2>"$err" || RUN_RC=$?
    } 2>/dev/null
    RUN_VERDICT=$(awk -v p="$prefix: " -v skipw="$skip_warnings" '
        index($0, p) == 1 {
            if (skipw && index($0, p "warning:") == 1) next
            v = substr($0, length(p) + 1)
        }
        END { printf "%s", v }' "$err")
}

PASSED=0
FAILED=0

fmt() { printf '%s "%s"' "$1" "$2"; }

# run_case NAME ARGS...
run_case() {
    local name=$1
    shift
    local d_rc d_verdict p_rc p_verdict
    run_prog "$DNSMASQ" dnsmasq 0 "$@"
    d_rc=$RUN_RC
    d_verdict=$RUN_VERDICT
    run_prog "$PXEMASQ" pxemasq 1 "$@"
    p_rc=$RUN_RC
    p_verdict=$RUN_VERDICT

    if [[ -n ${INTENDED_RC[$name]+set} ]]; then
        local e_rc=${INTENDED_RC[$name]} e_verdict=${INTENDED_VERDICT[$name]}
        if [[ $p_rc == "$e_rc" && $p_verdict == "$e_verdict" ]]; then
            PASSED=$((PASSED + 1))
            printf 'intended\t%s\tpxemasq: %s\texpected: %s\tdnsmasq: %s\n' "$name" \
                "$(fmt "$p_rc" "$p_verdict")" "$(fmt "$e_rc" "$e_verdict")" "$(fmt "$d_rc" "$d_verdict")"
        else
            FAILED=$((FAILED + 1))
            printf 'DIFFER\t%s\tpxemasq: %s\texpected (intended): %s\tdnsmasq: %s\n' "$name" \
                "$(fmt "$p_rc" "$p_verdict")" "$(fmt "$e_rc" "$e_verdict")" "$(fmt "$d_rc" "$d_verdict")"
        fi
        return 0
    fi

    if [[ $p_rc == "$d_rc" && $p_verdict == "$d_verdict" ]]; then
        PASSED=$((PASSED + 1))
        printf 'agree\t%s\tdnsmasq: %s\tpxemasq: %s\n' "$name" \
            "$(fmt "$d_rc" "$d_verdict")" "$(fmt "$p_rc" "$p_verdict")"
    else
        FAILED=$((FAILED + 1))
        printf 'DIFFER\t%s\tdnsmasq: %s\tpxemasq: %s\n' "$name" \
            "$(fmt "$d_rc" "$d_verdict")" "$(fmt "$p_rc" "$p_verdict")"
    fi
}

# --- corpus files (sorted byte-wise) -----------------------------------------
shopt -s nullglob
conf_files=()
while IFS= read -r -d '' f; do
    conf_files+=("$f")
done < <(cd "$CORPUS" && for f in *.conf; do [[ -f $f ]] && printf '%s\0' "$f"; done | LC_ALL=C sort -z)
shopt -u nullglob

for f in "${conf_files[@]}"; do
    run_case "$f" -C "$f"
done

# --- command-line cases ----------------------------------------------------
if [[ -f $CASES_FILE ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
        # trim surrounding whitespace; skip blank lines and comments
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        [[ -z $line || $line == \#* ]] && continue
        # Split into words with shell-like quoting, without eval: xargs honours
        # '...', "..." and backslashes and never expands globs or variables.
        args=()
        if ! xargs printf '%s\0' <<<"$line" >"$TMP/args" 2>"$TMP/xargs.err"; then
            echo "$0: cannot split command-line case: $line ($(head -n1 "$TMP/xargs.err"))" >&2
            exit 2
        fi
        while IFS= read -r -d '' word; do
            args+=("$word")
        done <"$TMP/args"
        run_case "cmdline:$line" "${args[@]}"
    done <"$CASES_FILE"
fi

echo "compat: $PASSED passed, $FAILED failed"
if [[ $FAILED -ne 0 ]]; then
    exit 1
fi
exit 0
