module github.com/kevydb/kevy

go 1.26
