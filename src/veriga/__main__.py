from veriga.cli import main

main()
