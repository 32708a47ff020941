using System.Globalization;
using System.Net;

namespace RingCore.Grpc;

/// <summary>
/// Where a node listens, read from its name: riak's convention <c>name@host:port</c> (an Erlang
/// node is <c>name@host</c>; RingCore adds the port, since nodes here have no epmd to ask), or from
/// <c>host:port</c> as written in the address book and the listen setting.
/// </summary>
internal readonly record struct NodeAddress(string Host, int Port)
{
    /// <summary>The address of <paramref name="nodeName"/>'s <c>@host:port</c> part; false when it has none, or it does not parse.</summary>
    public static bool TryFromNodeName(string nodeName, out NodeAddress address)
    {
        int at = nodeName.LastIndexOf('@');
        address = default;
        return at > 0 && TryParse(nodeName.AsSpan(at + 1), out address);
    }

    /// <summary>The name before the <c>@</c>, or the whole name when there is none.</summary>
    public static string ShortName(string nodeName)
    {
        int at = nodeName.LastIndexOf('@');
        return at > 0 ? nodeName[..at] : nodeName;
    }

    /// <summary>Reads <c>host:port</c> (an IPv6 host in brackets, <c>[::1]:8101</c>); the port 0 to 65535.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out NodeAddress address)
    {
        address = default;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        var host = text[..colon];
        if (host[0] == '[')
        {
            if (host.Length < 3 || host[^1] != ']' || !IPAddress.TryParse(host[1..^1], out _))
            {
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            return false; // an IPv6 host must be in brackets, or its last group reads as the port
        }

        foreach (char c in host)
        {
            if (char.IsWhiteSpace(c) || c is '/' or '@' or '?' or '#' || c > '\x7e')
            {
                return false;
            }
        }

        address = new NodeAddress(host.ToString(), port);
        return true;
    }

    /// <summary>The address gRPC dials: HTTPS with TLS, else cleartext HTTP/2 (h2c).</summary>
    public Uri ToUri(bool tls = false) => new($"{(tls ? "https" : "http")}://{this}/");

    /// <summary>The address as <c>host:port</c>, an IPv6 host in brackets.</summary>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
