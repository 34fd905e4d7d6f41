using Hangfire.Logging;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>A Hangfire log provider that drops messages (for tests that run Hangfire code without a host).</summary>
public sealed class SilentLogProvider : ILogProvider, ILog
{
    public ILog GetLogger(string name) => this;

    public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => logLevel >= LogLevel.Info;
}
