// Lambda.Shared: the kernel all three layers share (catalog, events, measures, time buckets, seams).
[assembly: System.CLSCompliant(false)]
