# bash completion for sesslua: workflows, their options, session ids.
# Installed to share/bash-completion/completions/sesslua.

_sesslua_workflows() {
  "$1" --list 2>/dev/null | awk '{print $1}'
}

_sesslua_sessions() {
  "$1" "${@:2}" list.lua --json 2>/dev/null | sed -n 's/^ *"id": "\(.*\)",\{0,1\}$/\1/p'
}

_sesslua() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local cmd=${COMP_WORDS[0]} i script="" script_at=0
  local -a host=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --root|--session) host+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}"); ((i++)) ;;
      --which) ((i++)) ;;
      -*) ;;
      *) script=${COMP_WORDS[i]}; script_at=$i; break ;;
    esac
  done
  COMPREPLY=()
  case $prev in
    --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --which) COMPREPLY=($(compgen -W "$(_sesslua_workflows "$cmd")" -- "$cur")); return ;;
  esac
  if [[ -z $script ]]; then
    if [[ $prev == --session ]]; then
      COMPREPLY=($(compgen -W "$(_sesslua_sessions "$cmd" "${host[@]}")" -- "$cur"))
    elif [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--root --session --debug --list --which --help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_sesslua_workflows "$cmd")" -- "$cur"))
    fi
    return
  fi
  local name=${script%.lua}
  if [[ $name == message && $((COMP_CWORD - script_at)) -eq 1 ]]; then
    COMPREPLY=($(compgen -W "send inbox read prune" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    local opts
    opts=$("$cmd" "${host[@]}" "$script" --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case $name in
    update|view|handoff|archive|morning|eod|create)
      COMPREPLY=($(compgen -W "$(_sesslua_sessions "$cmd" "${host[@]}")" -- "$cur")) ;;
    message)
      [[ $prev == send ]] && COMPREPLY=($(compgen -W "broadcast $(_sesslua_sessions "$cmd" "${host[@]}")" -- "$cur")) ;;
  esac
}
complete -F _sesslua sesslua
