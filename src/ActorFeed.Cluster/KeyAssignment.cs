using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ActorFeed.Cluster;

/// <summary>
/// Which app key's session carries a code: rendezvous (highest random weight) hashing of the code against each key's
/// <see cref="AppKeyCredentials.Name"/>. Every node computes the same answer from the same list of names, without
/// talking to the others; adding a key moves only the codes the new key wins (about 1/n of them), removing one moves
/// only its own codes. The key itself (the secret part) never takes part. The per-account types (empty code) go to the
/// first key.
/// </summary>
public sealed class KeyAssignment
{
    private readonly string[] _names;

    /// <summary>An assignment over these key names (order matters only for the empty code).</summary>
    /// <param name="keyNames">The <see cref="AppKeyCredentials.Name"/> of each key; at least one.</param>
    public KeyAssignment(IEnumerable<string> keyNames)
    {
        ArgumentNullException.ThrowIfNull(keyNames);
        _names = [.. keyNames];
        if (_names.Length == 0) throw new ArgumentException("at least one key name is needed", nameof(keyNames));
    }

    /// <summary>The name of the key whose session carries <paramref name="code"/>.</summary>
    /// <param name="code">An instrument code; empty for the per-account types.</param>
    /// <returns>One of the key names.</returns>
    public string KeyOf(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length == 0 || _names.Length == 1) return _names[0];
        var best = _names[0];
        var bestWeight = 0UL;
        foreach (var name in _names)
        {
            var w = Weight(name, code);
            if (w > bestWeight || (w == bestWeight && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestWeight = w;
            }
        }
        return best;
    }

    /// <summary>A stable 64-bit weight of (key name, code): the first 8 bytes of SHA-256 over both, the same in every
    /// process and every .NET version (string.GetHashCode is randomized per process).</summary>
    private static ulong Weight(string name, string code)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + code), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
