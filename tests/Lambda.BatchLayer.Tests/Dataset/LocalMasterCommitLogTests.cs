namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>The commit-log contract on the local kind: <see cref="CommitLog"/> record files under one shared root.</summary>
public sealed class LocalMasterCommitLogTests : MasterCommitLogContract
{
    protected override IMasterCommitLog OpenWriter() => new LocalCommitLogs(RootPath).Open(Orders.Name);

    protected override IMasterCommitLog OpenReader() => new CommitLog(RootPath, Orders.Name);
}
