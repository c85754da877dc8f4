# bash completion for sesslua: workflows, their options, session ids.
# Installed to share/bash-completion/completions/sesslua.
#
# What is offered where:
#   sesslua <TAB>                     workflows (and host options after -)
#   sesslua --root <TAB>              folders (also --root=<TAB>)
#   sesslua --session <TAB>           active session ids (also --session=<TAB>)
#   sesslua W --opt <TAB>             nothing for an option that takes text;
#                                     session ids for --session
#   sesslua update|view|... <TAB>     active session ids
#   sesslua create <TAB>              the next free id (session-N), never a taken one
#   sesslua message <TAB>             send, inbox, read, prune; after send:
#                                     broadcast and session ids
# Session ids and team workflows come from the tree that --root (either
# form) or --session names, as the command itself would use.

# A word as the shell would pass it: ~ expanded, one pair of quotes removed.
_sesslua_word() {
  local v=$1
  case $v in \"?*\"|\'?*\') v=${v:1:${#v}-2} ;; esac
  if [[ $v == "~" || $v == "~/"* ]]; then v=$HOME${v:1}; fi
  printf '%s' "$v"
}

# _sesslua_workflows CMD [HOST-OPTIONS...]
_sesslua_workflows() {
  "$1" "${@:2}" --list 2>/dev/null | awk '{print $1}'
}

# _sesslua_sessions CMD [HOST-OPTIONS...] [--all]: session ids.
_sesslua_sessions() {
  "$@" 2>/dev/null | sed -n 's/^ *"id": "\(.*\)",\{0,1\}$/\1/p'
}

# _sesslua_next_id CMD [HOST-OPTIONS...]: session-N, one past the highest
# numbered id, active or archived (session-1 in a new tree).
_sesslua_next_id() {
  local id n max=0
  for id in $(_sesslua_sessions "$@" list.lua --all --json); do
    n=${id#session-}
    if [[ $n =~ ^[0-9]+$ ]] && ((10#$n > max)); then max=$((10#$n)); fi
  done
  printf 'session-%d\n' $((max + 1))
}

# _sesslua_optspec CMD [HOST-OPTIONS...] SCRIPT [SUBCOMMAND]: "ALIAS NARGS"
# for each option in the workflow's --help (argparse's Options section:
# `-s, --case-sensitive`, `--working-on <working_on>`, `--learning TOPIC TEXT`,
# `--knowledge [<knowledge>]`).
_sesslua_optspec() {
  "$@" --help 2>/dev/null | awk '
    /^Options:/ { on = 1; next }
    /^[^ ]/ { on = 0 }
    on && /^   -/ {
      line = $0; sub(/^ +/, "", line)
      cut = index(line, "  "); if (cut) line = substr(line, 1, cut - 1)
      ng = split(line, groups, ", ")
      m = 0; done = 0
      for (g = 1; g <= ng && !done; g++) {
        nw = split(groups[g], w, " ")
        if (w[1] !~ /^-/) break
        n = 0
        for (k = 2; k <= nw; k++) {
          if (w[k] ~ /^(<[^>]*>|\[<[^>]*>\]|[A-Z][A-Z_]*)$/) n++
          else { done = 1; break }
        }
        alias[++m] = w[1]; if (n > nargs) nargs = n
      }
      for (k = 1; k <= m; k++) print alias[k], nargs + 0
      nargs = 0
    }'
}

_sesslua() {
  COMPREPLY=()
  # Bash splits `--root=DIR` at '=' (COMP_WORDBREAKS): join "--opt" "=" "V"
  # back into one word; `split` says the word under the cursor was split, so
  # what is offered replaces only the part after '='.
  local -a words=()
  local k w joining=0 split=0
  for ((k = 0; k <= COMP_CWORD; k++)); do
    w=${COMP_WORDS[k]}
    if [[ $w == = && ${#words[@]} -gt 1 && ${words[-1]} == --* && ${words[-1]} != *=* ]]; then
      words[-1]+="="; joining=1
      ((k == COMP_CWORD)) && split=1
      continue
    fi
    if ((joining)); then
      words[-1]+=$w; joining=0
      ((k == COMP_CWORD)) && split=1
      continue
    fi
    words+=("$w")
  done
  local cword=$((${#words[@]} - 1))
  local cur=${words[cword]} prev=""
  ((cword > 0)) && prev=${words[cword - 1]}
  local cmd i script="" script_at=0
  cmd=$(_sesslua_word "${words[0]}")
  local -a host=()
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    case $w in
      --root|--session)
        if ((i + 1 < cword)); then host+=("$w" "$(_sesslua_word "${words[i + 1]}")"); fi
        ((i++)) ;;
      --root=*|--session=*) host+=("${w%%=*}=$(_sesslua_word "${w#*=}")") ;;
      --which) ((i++)) ;;
      -*) ;;
      *) script=$w; script_at=$i; break ;;
    esac
  done

  # the value of an option written --opt=VALUE
  local pfx="" opt="" val=""
  if [[ $cur == --?*=* ]]; then
    opt=${cur%%=*}; val=${cur#*=}
    ((split)) || pfx="$opt="
  fi

  if [[ -z $script ]]; then
    if [[ $opt == --root ]]; then
      COMPREPLY=($(compgen -d -P "$pfx" -- "$val"))
    elif [[ $opt == --session ]]; then
      COMPREPLY=($(compgen -P "$pfx" -W "$(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$val"))
    elif [[ -n $opt ]]; then
      :
    elif [[ $prev == --root ]]; then
      COMPREPLY=($(compgen -d -- "$cur"))
    elif [[ $prev == --session ]]; then
      COMPREPLY=($(compgen -W "$(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$cur"))
    elif [[ $prev == --which ]]; then
      COMPREPLY=($(compgen -W "$(_sesslua_workflows "$cmd" "${host[@]}")" -- "$cur"))
    elif [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--root --session --debug --list --which --help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_sesslua_workflows "$cmd" "${host[@]}")" -- "$cur"))
    fi
    return
  fi

  local name=${script##*/}
  name=${name%.lua}
  # message's options depend on its subcommand, its first argument
  local sub=""
  if [[ $name == message ]]; then
    for ((i = script_at + 1; i < cword; i++)); do
      [[ ${words[i]} != -* ]] && { sub=${words[i]}; break; }
    done
  fi
  local spec
  spec=$(_sesslua_optspec "$cmd" "${host[@]}" "$script" $sub)

  # Walk the words after SCRIPT: an option takes as many values as its
  # --help shows; after `--` every word is an argument.
  local pending=0 popt="" npos=0 dashdash=0 a n
  for ((i = script_at + 1; i < cword; i++)); do
    w=${words[i]}
    if ((pending > 0)); then ((pending--)); continue; fi
    if ((!dashdash)) && [[ $w == -- ]]; then dashdash=1; continue; fi
    if ((!dashdash)) && [[ $w == -?* ]]; then
      popt=$w; pending=0
      if [[ $w != *=* ]]; then
        while read -r a n; do
          [[ $a == "$w" ]] && { pending=$n; break; }
        done <<<"$spec"
      fi
      continue
    fi
    ((npos++))
  done

  # an option's value: session ids for --session, nothing for text
  if ((pending > 0)); then
    if [[ $popt == --session ]]; then
      COMPREPLY=($(compgen -W "$(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$cur"))
    fi
    return
  fi
  if [[ -n $opt ]] && ((!dashdash)); then
    if [[ $opt == --session ]]; then
      COMPREPLY=($(compgen -P "$pfx" -W "$(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$val"))
    fi
    return
  fi
  if ((!dashdash)) && [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(awk '{print $1}' <<<"$spec")" -- "$cur"))
    return
  fi

  local pos=$((npos + 1))
  case $name in
    create)
      ((pos == 1)) && COMPREPLY=($(compgen -W "$(_sesslua_next_id "$cmd" "${host[@]}")" -- "$cur")) ;;
    update|view|handoff|archive|morning|eod)
      ((pos == 1)) && COMPREPLY=($(compgen -W "$(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$cur")) ;;
    message)
      if ((pos == 1)); then
        COMPREPLY=($(compgen -W "send inbox read prune" -- "$cur"))
      elif [[ $sub == send ]] && ((pos == 2)); then
        COMPREPLY=($(compgen -W "broadcast $(_sesslua_sessions "$cmd" "${host[@]}" list.lua --json)" -- "$cur"))
      fi ;;
  esac
  return 0
}
complete -F _sesslua sesslua
