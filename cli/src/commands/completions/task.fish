# fish completion for task: candidates come from `task _complete`, which
# knows the commands, attributes, sort fields and the user's projects and tags.
function __task_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    command task _complete -- "$current" $tokens[2..-1] 2>/dev/null
end
complete -c task -f -a '(__task_complete)'
