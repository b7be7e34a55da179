from remin.cli import main

main()
