using System.Globalization;

namespace RingCore.Client;

/// <summary>
/// One node's address as the options name it, and the gRPC address it is dialled at. Riak names
/// nodes <c>name@host</c>; RingCore's names carry the port too (<c>n1@127.0.0.1:8101</c>), so a
/// node's name is all a client needs to reach it.
/// </summary>
internal static class NodeEndpoint
{
    /// <summary>The <c>http://host:port/</c> (or the given http/https address) that <paramref name="node"/> is served at.</summary>
    /// <exception cref="ArgumentException">Not <c>host:port</c>, <c>name@host:port</c> or an http(s) address.</exception>
    public static Uri Parse(string node)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        string text = node.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(text, UriKind.Absolute, out var uri)
                ? uri
                : throw new ArgumentException($"'{node}' is not a valid http(s) address.", nameof(node));
        }

        int at = text.LastIndexOf('@');
        string address = at >= 0 ? text[(at + 1)..] : text;
        int colon = address.LastIndexOf(':');
        bool bracketed = address.StartsWith('[');
        if (colon <= 0 || (bracketed && address[colon - 1] != ']')
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new ArgumentException($"'{node}' is not a node address: use host:port or name@host:port (a port from 1 to 65535).", nameof(node));
        }

        string host = address[..colon];
        if (!bracketed && host.Contains(':', StringComparison.Ordinal))
        {
            host = $"[{host}]"; // an IPv6 literal written without brackets
        }

        return Uri.TryCreate($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}/", UriKind.Absolute, out var result)
            ? result
            : throw new ArgumentException($"'{node}' is not a node address: '{host}' is not a host name.", nameof(node));
    }
}
