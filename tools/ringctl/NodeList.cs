namespace RingCore.Tools.RingCtl;

/// <summary>
/// Node names as options give them: repeated options and comma-separated lists alike
/// (<c>--join d,e</c> is <c>--join d --join e</c>), trimmed, each non-empty and named once.
/// </summary>
internal static class NodeList
{
    /// <summary>The names in <paramref name="values"/>, in the order given.</summary>
    /// <exception cref="UsageException">An empty name, or a name listed twice.</exception>
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
                    throw new UsageException($"{option}: node names must not be empty (got '{value}').");
                }

                if (!seen.Add(name))
                {
                    throw new UsageException($"{option}: node '{name}' is listed more than once.");
                }

                names.Add(name);
            }
        }

        return names;
    }
}
