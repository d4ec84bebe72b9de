#compdef task
# zsh completion for task: candidates come from `task _complete`, which
# knows the commands, attributes, sort fields and the user's projects and tags.
_task() {
    local -a found whole open
    found=("${(@f)$(command task _complete -- "${words[CURRENT]}" "${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
    local candidate
    for candidate in "${found[@]}"; do
        [[ -z $candidate ]] && continue
        # An attribute name takes its value right after it: no space.
        if [[ $candidate == *: ]]; then open+=("$candidate"); else whole+=("$candidate"); fi
    done
    (( ${#whole} )) && compadd -Q -- "${whole[@]}"
    (( ${#open} )) && compadd -Q -S '' -- "${open[@]}"
    return 0
}
compdef _task task
