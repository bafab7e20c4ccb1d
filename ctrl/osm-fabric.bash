# bash completion for osm-fabric(8). The commands come from the program's
# own --help (its command table, ctrl/main.c); their subcommands and
# options from the table below, after each command's --help.

# _osm_fabric_opts CMD SUB: the options of "osm-fabric CMD SUB".
_osm_fabric_opts()
{
	local ns='-n --netns'
	case $1/$2 in
	load/*)		echo "$ns --generic --max-circuits" ;;
	unload/* | status/* | circuit/del | circuit/list | port/watch)
			echo "$ns" ;;
	circuit/add)	echo "$ns --in --out --src --dst --epoch --hop-key-file" \
			     "--rate --burst --lease --remote --ctrl" ;;
	circuit/key)	echo "$ns --epoch --hop-key-file --replace --remove" ;;
	port/set)	echo "$ns --mgmt --fabric" ;;
	stats/*)	echo "$ns --circuit" ;;
	topology/show | person/list | engine/circuits)
			echo "--json" ;;
	person/enter | person/move | person/leave)
			echo "--netns-prefix --socket" ;;
	engine/verify | engine/reconcile | forget/* | metrics/*)
			echo "--netns-prefix" ;;
	daemon/*)	echo "--socket --netns-prefix --ctl --ctl-netns" \
			     "--client-timeout --metrics" ;;
	events/*)	echo "-n --json --socket" ;;
	graph/*)	echo "--room -o --output" ;;
	audit/show)	echo "--person --archive" ;;
	audit/verify)	echo "--archive" ;;
	audit/archive)	echo "--keep" ;;
	device/provision) echo "-o --epoch --ctrl-mac --peer-mac --force" ;;
	peer/add)	echo "--public-key --endpoint --next-hop-mac --gateway" \
			     "--socket --epoch" ;;
	peer/list | remote/list)
			echo "--json" ;;
	remote/add)	echo "--peer --device --peer-mac --class --send-only" \
			     "--receive-only --netns-prefix" ;;
	esac
}

# _osm_fabric_subs CMD: the subcommands of CMD, if it has any.
_osm_fabric_subs()
{
	case $1 in
	circuit)	echo "add del list key" ;;
	port)		echo "set watch" ;;
	topology)	echo "apply show" ;;
	person)		echo "enter move leave list" ;;
	engine)		echo "circuits verify reconcile" ;;
	audit)		echo "show verify archive" ;;
	device)		echo "provision" ;;
	peer)		echo "key add epoch del list" ;;
	remote)		echo "add close list" ;;
	esac
}

_osm_fabric()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local globals='-j --json -v --verbose --show-keys --store --help'
	local cmd='' sub='' i w

	# The command and its subcommand: the first two words that are no
	# option and no option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--store | -n | --netns | --ctl-netns | --in | --out | --ctl | \
		--max-circuits | --epoch | --rate | --burst | --lease | \
		--circuit | --netns-prefix | --socket | --client-timeout | \
		--metrics | --src | --dst | --ctrl-mac | --peer-mac | \
		--person | --archive | --keep | --room | -o | --output | \
		--hop-key-file | --public-key | --endpoint | --next-hop-mac | \
		--gateway | --peer | --device | --class)
			((i++)) ;;
		-*)	;;
		*)	if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -z "$sub" ]; then
				sub=$w
			fi ;;
		esac
	done

	# Options whose value is the next word.
	case $prev in
	--store)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--hop-key-file | --archive | -o | --output)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-n | --netns | --ctl-netns)
		[ "$cmd" = events ] && return	# events -n N
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null |
			cut -d' ' -f1)" -- "$cur"))
		return ;;
	--in | --out | --ctl)
		COMPREPLY=($(compgen -W "$(ls /sys/class/net)" -- "$cur"))
		return ;;
	--max-circuits | --epoch | --rate | --burst | --lease | --circuit | \
	--netns-prefix | --socket | --client-timeout | --metrics | --src | \
	--dst | --ctrl-mac | --peer-mac | --person | --keep | --room | \
	--public-key | --endpoint | --next-hop-mac | --gateway | --peer | \
	--device | --class)
		return ;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help \
				2>/dev/null | sed -n 's/^  \([a-z]\{1,\}\) .*/\1/p')" \
				-- "$cur"))
		fi
		return
	fi
	if [ -z "$sub" ] && [ -n "$(_osm_fabric_subs "$cmd")" ]; then
		COMPREPLY=($(compgen -W "$(_osm_fabric_subs "$cmd") --help" \
			-- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_osm_fabric_opts "$cmd" "$sub")
			$globals" -- "$cur"))
	elif [ "$cmd/$sub" = topology/apply ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	elif [ -d /sys/fs/bpf/osm ]; then	# a switch's name
		case $cmd in
		unload | status | stats | circuit | port)
			COMPREPLY=($(compgen -W "$(ls /sys/fs/bpf/osm)" \
				-- "$cur")) ;;
		esac
	fi
}
complete -F _osm_fabric osm-fabric
