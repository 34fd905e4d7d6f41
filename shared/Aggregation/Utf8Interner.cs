using System.Text;

namespace Lambda.Shared.Aggregation;

/// <summary>
/// Maps distinct UTF-8 byte strings to dense ids, looked up by span so that a repeated dimension value
/// costs a hash probe and no allocation (Dictionary's alternate lookup, .NET 9+).
/// </summary>
internal sealed class Utf8Interner
{
    private readonly Dictionary<byte[], int> _ids;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly List<byte[]> _values = [];
    private readonly List<string?> _strings = [];

    public Utf8Interner()
    {
        _ids = new Dictionary<byte[], int>(Utf8KeyComparer.Instance);
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _values.Count;

    public int Intern(ReadOnlySpan<byte> utf8)
    {
        if (_lookup.TryGetValue(utf8, out var id))
        {
            return id;
        }

        var bytes = utf8.ToArray();
        id = _values.Count;
        _values.Add(bytes);
        _strings.Add(null);
        _ids.Add(bytes, id);
        return id;
    }

    public int Intern(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 256)
        {
            Span<byte> buffer = stackalloc byte[256];
            return Intern(buffer[..Encoding.UTF8.GetBytes(value, buffer)]);
        }

        return Intern(Encoding.UTF8.GetBytes(value));
    }

    public ReadOnlySpan<byte> GetBytes(long id) => _values[(int)id];

    public string GetString(long id) => _strings[(int)id] ??= Encoding.UTF8.GetString(_values[(int)id]);

    public void Clear()
    {
        _ids.Clear();
        _values.Clear();
        _strings.Clear();
    }
}
