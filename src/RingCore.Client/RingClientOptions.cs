namespace RingCore.Client;

/// <summary>
/// How a <see cref="RingClient"/> reaches a cluster: the nodes it may call, the secret it sends,
/// how long a call may take and how many nodes it tries. Defaults suit a cluster on one network.
/// </summary>
public sealed class RingClientOptions
{
    /// <summary>The default <see cref="Timeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="MaxMessageBytes"/>: 32 MiB, twice the store's object limit, so that a sibling set at the limit still arrives.</summary>
    public const int DefaultMaxMessageBytes = 32 * 1024 * 1024;

    /// <summary>
    /// The nodes to call, each <c>host:port</c>, a riak-style node name <c>name@host:port</c>, or
    /// an <c>http://</c> or <c>https://</c> address. A call goes to the node that answered the
    /// last call, and moves on to the next one in this list when a node is down. At least one.
    /// </summary>
    public IList<string> Nodes { get; init; } = new List<string>();

    /// <summary>
    /// The client secret, sent as the <c>ringcore-secret</c> metadata of every call; the nodes
    /// require it when they set <c>RingCore:Grpc:ClientSecret</c>. Null sends none. Defaults to null.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>
    /// The deadline of each attempt: a node that has not answered by then fails the call with
    /// <see cref="RingTimeoutException"/> (the request may still have been applied, so it is not
    /// retried). Positive. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// How many nodes a call tries before it gives up with <see cref="RingUnavailableException"/>:
    /// a node is tried again only after every other one. 0 tries each node of <see cref="Nodes"/>
    /// once. Defaults to 0.
    /// </summary>
    public int MaxAttempts { get; init; }

    /// <summary>
    /// The pause before a call starts another round over <see cref="Nodes"/> (only when
    /// <see cref="MaxAttempts"/> is more than the nodes): every node was down a moment ago, and
    /// calling them again at once rarely helps. Defaults to 200 milliseconds.
    /// </summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest reply accepted and request sent, in bytes; larger ones fail with RESOURCE_EXHAUSTED. Defaults to 32 MiB.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>Checks every setting, naming the one that is wrong.</summary>
    internal void Validate()
    {
        if (Nodes is null || Nodes.Count == 0)
        {
            throw new ArgumentException("RingClientOptions.Nodes must name at least one node (host:port or name@host:port).", nameof(Nodes));
        }

        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "RingClientOptions.Timeout must be positive and at most 24 days.");
        }

        if (MaxAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "RingClientOptions.MaxAttempts must be 0 (each node once) or more.");
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RingClientOptions.RetryDelay must not be negative.");
        }

        if (MaxMessageBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "RingClientOptions.MaxMessageBytes must be at least 1024.");
        }
    }
}
