namespace RingCore.TestKit;

/// <summary>
/// Watches where actors are active across a <see cref="TestCluster"/>: which nodes hold a live
/// activation of each (type, key) at each moment, and the most that ever held one at once. With
/// no partition and no crash an actor must never have two (issue 5).
/// </summary>
public sealed class ActivationMonitor
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _most = new(StringComparer.Ordinal);
    private readonly List<string> _overlaps = [];

    /// <summary>Every moment an actor became active on a second node while active on another, as "type/key on n1 while on n2".</summary>
    public IReadOnlyList<string> Overlaps
    {
        get
        {
            lock (_gate)
            {
                return [.. _overlaps];
            }
        }
    }

    /// <summary>The nodes that hold a live activation of (type, key) now.</summary>
    public IReadOnlyList<string> LiveOn(string type, ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            return _live.TryGetValue(Name(type, key), out var nodes) ? [.. nodes.Order(StringComparer.Ordinal)] : [];
        }
    }

    /// <summary>The most nodes that held an activation of (type, key) at once.</summary>
    public int MostAtOnce(string type, ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            return _most.GetValueOrDefault(Name(type, key));
        }
    }

    /// <summary>The nodes that hold a live activation of (type, key) now, by name.</summary>
    public IReadOnlyList<string> ActiveOn(string type, ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            return _live.TryGetValue(Name(type, key), out var nodes) ? [.. nodes.Order(StringComparer.Ordinal)] : [];
        }
    }

    internal void Observe(string type, byte[] key, string node, bool active)
    {
        var name = Name(type, key);
        lock (_gate)
        {
            if (!_live.TryGetValue(name, out var nodes))
            {
                _live[name] = nodes = new HashSet<string>(StringComparer.Ordinal);
            }

            if (!active)
            {
                nodes.Remove(node);
                return;
            }

            if (nodes.Count > 0 && !nodes.Contains(node))
            {
                _overlaps.Add($"{name} on {node} while on {string.Join(", ", nodes.Order(StringComparer.Ordinal))}");
            }

            nodes.Add(node);
            _most[name] = Math.Max(_most.GetValueOrDefault(name), nodes.Count);
        }
    }

    private static string Name(string type, ReadOnlySpan<byte> key) => $"{type}/{System.Text.Encoding.UTF8.GetString(key)}";
}
