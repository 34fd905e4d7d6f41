using System.Reflection;
using System.Runtime.InteropServices;

namespace Lambda.DevBroker.Native;

/// <summary>
/// Points <see cref="LibRdKafka"/> at the librdkafka build that loads on this Linux: the package's
/// default <c>librdkafka.so</c> links <c>libsasl2.so.3</c>, which Debian 12 does not have, while the
/// <c>centos8-librdkafka.so</c> variant in the same package loads everywhere glibc is recent enough.
/// </summary>
internal static class LibRdKafkaLoader
{
    private static readonly string[] Candidates =
    [
        Path.Combine("runtimes", "linux-x64", "native", "centos8-librdkafka.so"),
        Path.Combine("runtimes", "linux-x64", "native", "librdkafka.so"),
    ];

    /// <summary>Installs the resolver; call once before the first native call.</summary>
    public static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibRdKafka.LibraryName || !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            // Default probing: other platforms get the package's own native asset for their RID.
            return 0;
        }

        foreach (var candidate in Candidates)
        {
            var path = Path.Combine(AppContext.BaseDirectory, candidate);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }
}
