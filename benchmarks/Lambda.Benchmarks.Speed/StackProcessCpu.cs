using System.Globalization;
using Lambda.Testing;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// CPU time a process of the local stack has used (from <c>&lt;state&gt;/pids/&lt;name&gt;.pid</c> and
/// <c>/proc/&lt;pid&gt;/stat</c>), to say where a phase's time went. Null where it cannot be read. The stack is shared:
/// other runs' work on it counts too.
/// </summary>
internal static class StackProcessCpu
{
    // /proc/<pid>/stat counts in clock ticks; USER_HZ is 100 on Linux x86-64.
    private const double TicksPerSecond = 100;

    public static double? Seconds(string name)
    {
        try
        {
            var pid = File.ReadAllText(Path.Combine(RepositoryPaths.StateDirectory, "pids", name + ".pid")).Trim();
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // Fields after the command (which may hold spaces) start after the last ')': state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
