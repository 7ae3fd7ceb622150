#!/bin/sh
# Loads every .bpmn file below DIR (a checkout of the BPMN MIWG test suite,
# github.com/bpmn-miwg/bpmn-miwg-test-suite) with `web check`, each file
# alone as the one model of a repository (ids repeat across the suite's
# vendors), and counts the outcomes: loaded clean, loaded with problems
# (each named by file, element and line in OUT/<n>.json), or crashed (a
# report that is not JSON, or a panic).
#
#   scripts/check-miwg.sh DIR [OUT]    (OUT defaults to a temporary folder)
set -eu
dir=${1:?usage: check-miwg.sh DIR [OUT]}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
web=${WEB:-$(mktemp -d)/web}
[ -x "$web" ] || go build -o "$web" ./cmd/web
clean=0 problems=0 crashed=0 n=0
find "$dir" -name '*.bpmn' | sort > "$out/files.txt"
while IFS= read -r f; do
	n=$((n + 1))
	repo="$out/repo$n"
	mkdir -p "$repo/g/m"
	echo '{"display_name": "MIWG"}' > "$repo/g/process_group.json"
	echo '{"display_name": "m", "primary_file_name": "diagram.bpmn"}' > "$repo/g/m/process_model.json"
	cp "$f" "$repo/g/m/diagram.bpmn"
	rc=0
	"$web" check -json "$repo" > "$out/$n.json" 2> "$out/$n.err" || rc=$?
	if grep -q 'panic\|goroutine ' "$out/$n.err" || ! python3 -m json.tool "$out/$n.json" > /dev/null 2>&1; then
		crashed=$((crashed + 1))
		echo "crashed: $f ($out/$n.err)"
	elif [ "$rc" -eq 0 ]; then
		clean=$((clean + 1))
	else
		problems=$((problems + 1))
	fi
	rm -rf "$repo"
done < "$out/files.txt"
echo "$n files: $clean loaded clean, $problems with problems named in $out/<n>.json, $crashed crashed"
