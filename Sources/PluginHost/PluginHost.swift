// Plugin packages, installs and the process supervisor arrive with the plugin issue; nothing belongs here yet.
