module example.com/seawall-lab/hello

go 1.19
