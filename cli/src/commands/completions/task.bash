# bash completion for task: candidates come from `task _complete`, which
# knows the commands, attributes, sort fields and the user's projects and tags.
_task() {
    local line=${COMP_LINE:0:COMP_POINT}
    # The word being typed, colons included (bash splits words at ':').
    local cur=${line##*[[:space:]]}
    local before=${line%"$cur"}
    local -a words
    read -ra words <<< "$before"
    local IFS=$'\n'
    local -a found
    found=($(command task _complete -- "$cur" "${words[@]:1}" 2>/dev/null))
    # Bash replaces only what follows the last ':' of the word.
    local colon_part=""
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        colon_part=${cur%"${cur##*:}"}
    fi
    COMPREPLY=()
    local candidate
    for candidate in "${found[@]}"; do
        COMPREPLY+=("${candidate#"$colon_part"}")
    done
    # No space after an attribute name, so its value can follow.
    if [[ ${#found[@]} -eq 1 && ${found[0]} == *: ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _task task
