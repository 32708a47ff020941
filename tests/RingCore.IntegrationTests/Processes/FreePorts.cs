using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RingCore.IntegrationTests.Processes;

/// <summary>
/// Loopback ports free now, for a process that must be told its port before it starts: a node's
/// name carries its port, so a restarted node must get the same one back.
/// </summary>
/// <remarks>
/// The ports come from below the kernel's ephemeral range, where it never picks a port for a
/// socket bound to port 0 or for a connection's local end. A port the kernel handed out and this
/// class released (the usual "bind to 0, read the port, close") is free for anyone else: another
/// test's listener or client, running in parallel, could take it before the process binds it or
/// while a node restarts on it. Below that range only a process that names the port can take it,
/// and this one never hands the same port out twice; each test process starts at a random place
/// in the range, so two of them rarely meet.
/// </remarks>
internal static class FreePorts
{
    private const int Lowest = 10_000;
    private static readonly Lock Gate = new();
    private static readonly (int First, int End) Range = ChooseRange();
    private static int s_next = Random.Shared.Next(Range.First, Range.End);

    /// <summary><paramref name="count"/> consecutive ports on 127.0.0.1, each free now, none handed out before by this process.</summary>
    public static int[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (Gate)
        {
            for (int tried = 0; tried < Range.End - Range.First; tried++)
            {
                if (s_next + count > Range.End)
                {
                    s_next = Range.First;
                }

                int first = s_next;
                s_next += count;
                if (Enumerable.Range(first, count).All(IsFree))
                {
                    return [.. Enumerable.Range(first, count)];
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports on 127.0.0.1 between {Range.First} and {Range.End - 1}.");
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>From <see cref="Lowest"/> to the start of the ephemeral range: Linux's, or IANA's 49152 (Windows, macOS).</summary>
    private static (int First, int End) ChooseRange()
    {
        int ephemeral = 49_152;
        const string linux = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(linux))
        {
            ephemeral = int.Parse(File.ReadAllText(linux).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }

        if (ephemeral - Lowest < 1_000)
        {
            throw new InvalidOperationException($"The ephemeral port range starts at {ephemeral}: too few ports below it for the tests (they take them from {Lowest}).");
        }

        return (Lowest, ephemeral);
    }
}
