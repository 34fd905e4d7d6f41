using BenchmarkDotNet.Running;
using Lambda.Benchmarks.Serving;

// "load [seconds] [concurrency]" drives the HTTP API; "flood [seconds] [cheap] [flooding]" measures a cheap key beside a flooding one (started as "flood-client", a process of its own); anything else goes to BenchmarkDotNet (e.g. --filter '*' --job short).
if (args.Length > 0 && args[0] == "load")
{
    await HttpLoad.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "flood")
{
    await FloodLoad.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "flood-client")
{
    await FloodClient.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "real")
{
    await RealisticLoad.RunAsync(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(QueryBenchmarks).Assembly).Run(args);
}
