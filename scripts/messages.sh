#!/usr/bin/env bash
# Regenerate the English catalogue from the source strings and compile it.
#
#   scripts/messages.sh           regenerate locale/en/LC_MESSAGES/*.po (existing translations are kept),
#                                 compile the .mo files, print what is still untranslated
#   scripts/messages.sh --list    the same, then list every untranslated or fuzzy msgid
#   scripts/messages.sh --check   the same, but exit 1 when anything is untranslated or fuzzy (for CI)
#
# Needs GNU gettext (msgmerge, msgfmt, msgattrib). Commit the .po and the .mo together, so that a fresh
# clone shows English without gettext installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
LANG_CODE=en
CATALOGUE_DIR=locale/$LANG_CODE/LC_MESSAGES
IGNORES=(--ignore=.venv --ignore=node_modules --ignore=var --ignore=static/vendor)

mode=${1:-}
case "$mode" in
  "" | --list | --check) ;;
  *) echo "usage: $0 [--list|--check]" >&2; exit 2 ;;
esac

for tool in msgmerge msgfmt msgattrib xgettext; do
  command -v "$tool" >/dev/null || { echo "GNU gettext is needed ($tool not found): apt-get install gettext" >&2; exit 1; }
done

mkdir -p "$CATALOGUE_DIR"

# --no-obsolete: a msgid nobody uses any more is dropped instead of piling up as #~ comments.
"$PY" manage.py makemessages -l "$LANG_CODE" "${IGNORES[@]}" --no-obsolete

# The JavaScript catalogue only exists once some script calls gettext(); today the JS has no strings of its
# own (labels come from data- attributes the templates translate).
if grep -rqE '\b(n|p|np)?gettext\(|\binterpolate\(' static/js 2>/dev/null; then
  "$PY" manage.py makemessages -d djangojs -l "$LANG_CODE" "${IGNORES[@]}" --no-obsolete
fi

"$PY" manage.py compilemessages -l "$LANG_CODE" "${IGNORES[@]}"

# What is left to translate. Fuzzy entries (msgmerge's guesses after a msgid changed) are not compiled, so
# they show Chinese just like empty ones: both count as to do.
todo=0
for po in "$CATALOGUE_DIR"/*.po; do
  total=$(msgattrib --no-wrap "$po" | grep -c '^msgid ' || true)
  total=$((total - 1)) # the header entry
  untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$po" | grep -c '^msgid ' || true)
  # msgattrib keeps the header in its output whenever it prints anything at all
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  translated=$((total - untranslated - fuzzy))
  echo "$po: $translated/$total translated, $untranslated untranslated, $fuzzy fuzzy"
  todo=$((todo + untranslated + fuzzy))
  if [ "$mode" = "--list" ] && [ $((untranslated + fuzzy)) -gt 0 ]; then
    msgattrib --untranslated --no-obsolete --no-wrap "$po" | grep -E '^(#:|#,|msgid)' | grep -v '^msgid ""$' || true
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$po" | grep -E '^(#:|#,|msgid)' | grep -v '^msgid ""$' || true
  fi
done

if [ "$todo" -gt 0 ]; then
  echo "$todo string(s) still to translate: fill their msgstr in $CATALOGUE_DIR/*.po (remove '#, fuzzy' once" \
    "checked), then run $0 again. '$0 --list' shows them."
  [ "$mode" = "--check" ] && exit 1
else
  echo "Every string is translated."
fi
exit 0
