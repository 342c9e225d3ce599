# SPDX-License-Identifier: GPL-2.0
# Reading tests/guest/plan (its header describes the format). Sourced by
# scripts/check (host) and tests/guest/run-suite (guest); bash.

PLAN_FILE=${PLAN_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/plan}

# plan_names: the boots, in order
plan_names() {
	local name rest
	while IFS='|' read -r name rest; do
		name=$(echo $name)
		case "$name" in ''|'#'*) continue ;; esac
		echo "$name"
	done < "$PLAN_FILE"
}

# plan_get NAME: PLAN_ARGS, PLAN_EXPECT (words), PLAN_PROFILE (as= or
# NAME), PLAN_V2 (v2= or ""), PLAN_KUNIT_SKIP (kunit-skip=, commas),
# PLAN_KERNEL (kernel=, default test);
# returns 1 when NAME is not in the plan.
# A word plan_get does not know is an error (a typo must not drop a check).
plan_get() {
	local name args exp w
	PLAN_ARGS= PLAN_EXPECT= PLAN_PROFILE=$1 PLAN_V2= PLAN_KUNIT_SKIP= PLAN_KUNIT_MAY_SKIP=
	PLAN_KERNEL=test
	while IFS='|' read -r name args exp; do
		name=$(echo $name)
		[ "$name" = "$1" ] || continue
		PLAN_ARGS=$(echo $args)
		PLAN_EXPECT=$(echo $exp)
		for w in $PLAN_EXPECT; do
			case "$w" in
			kunit|ftracetest) ;;
			as=?*) PLAN_PROFILE=${w#as=} ;;
			kernel=?*) PLAN_KERNEL=${w#kernel=} ;;
			v2=?*) PLAN_V2=${w#v2=} ;;
			kunit-skip=?*) PLAN_KUNIT_SKIP=${w#kunit-skip=} ;;
			kunit-may-skip=?*) PLAN_KUNIT_MAY_SKIP=${w#kunit-may-skip=} ;;
			*) echo "tests/guest/plan: boot $1: unknown expectation '$w'" >&2; return 2 ;;
			esac
		done
		return 0
	done < "$PLAN_FILE"
	return 1
}

# plan_has WORD: the boot last read by plan_get expects WORD
plan_has() { case " $PLAN_EXPECT " in *" $1 "*) return 0 ;; esac; return 1; }

# plan_pair NAME: the boot with relpoline whose site dump the relpoline=off
# boot NAME compares its own with (t-idle-bytes.sh): PROFILE for
# PROFILE-norp, lfence for disabled; nothing for the others. scripts/check
# starts NAME after that boot.
plan_pair() {
	case "$1" in
	*-norp) echo "${1%-norp}" ;;
	disabled) echo lfence ;;
	esac
}
