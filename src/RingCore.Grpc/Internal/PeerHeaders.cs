using System.Security.Cryptography;
using System.Text;

namespace RingCore.Grpc;

/// <summary>The call metadata of a peer stream (proto/ringcore_peer.proto), and the secret's check.</summary>
internal static class PeerHeaders
{
    /// <summary>The dialing node's name.</summary>
    public const string Node = "ringcore-node";

    /// <summary>The cluster secret.</summary>
    public const string Secret = "ringcore-secret";

    /// <summary>The node the dialer means to reach.</summary>
    public const string Target = "ringcore-target";

    /// <summary>The SHA-256 of a secret: what <see cref="Matches"/> compares, so the comparison takes the same time whatever the secrets' lengths.</summary>
    public static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="offered"/> is the secret whose digest is <paramref name="expected"/>, in constant time; never when there is no secret to match.</summary>
    public static bool Matches(string? offered, byte[]? expected) =>
        offered is not null && expected is not null && CryptographicOperations.FixedTimeEquals(Digest(offered), expected);
}
