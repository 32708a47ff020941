using System.Globalization;
using System.Text;
using RingCore.Ring;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Node names as options give them: repeated options and comma-separated lists alike
/// (<c>--join d,e</c> is <c>--join d --join e</c>), trimmed, each non-empty, at most
/// <see cref="RingMember.MaxNameBytes"/> UTF-8 bytes (what a ring takes), and named once.
/// </summary>
internal static class NodeList
{
    /// <summary>The names in <paramref name="values"/>, in the order given.</summary>
    /// <exception cref="UsageException">An empty name, a name too long for a ring, or a name listed twice.</exception>
    public static IReadOnlyList<string> Parse(string option, IEnumerable<string>? values)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in values ?? [])
        {
            foreach (string part in value.Split(','))
            {
                string name = part.Trim();
                if (name.Length == 0)
                {
                    throw new UsageException($"{option}: node names must not be empty (got {DisplayText.Quote(value)}).");
                }

                int bytes = Encoding.UTF8.GetByteCount(name);
                if (bytes > RingMember.MaxNameBytes)
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                        $"{option}: a node name must be at most {RingMember.MaxNameBytes} UTF-8 bytes (got {bytes}: {DisplayText.Quote(name)})."));
                }

                if (!seen.Add(name))
                {
                    throw new UsageException($"{option}: node {DisplayText.Quote(name)} is listed more than once.");
                }

                names.Add(name);
            }
        }

        return names;
    }
}
