using System.CommandLine;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// The options every live command shares: the node to call (<c>--node</c>), the secret
/// (<c>--secret</c>), the deadline (<c>--timeout</c>) and <c>--json</c>. Without <c>--node</c> a
/// command calls the first node of the devcluster in <c>./devcluster</c> if there is one, else
/// 127.0.0.1:8101; without <c>--secret</c> it sends RINGCORE_SECRET, else the devcluster's secret.
/// </summary>
internal sealed class NodeTarget
{
    public const string DefaultNode = "127.0.0.1:8101";
    public const string SecretVariable = "RINGCORE_SECRET";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly CommandContext _context;

    public NodeTarget(CommandContext context) => _context = context;

    private readonly Option<string> _node = new("--node")
    {
        HelpName = "host:port",
        Description = $"The node to ask (host:port or name@host:port). Default: the first node of ./devcluster if it runs, else {DefaultNode}.",
    };

    private readonly Option<string> _secret = new("--secret")
    {
        HelpName = "secret",
        Description = $"The cluster secret, sent as ringcore-secret. Default: ${SecretVariable}, else ./devcluster's.",
    };

    private readonly Option<double> _timeout = new("--timeout")
    {
        HelpName = "seconds",
        Description = "How long to wait for each answer.",
        DefaultValueFactory = _ => DefaultTimeout.TotalSeconds,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write the result as JSON on stdout (docs/ringctl.md gives each shape)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command, bool withNode = true)
    {
        if (withNode)
        {
            command.Options.Add(_node);
        }

        command.Options.Add(_secret);
        command.Options.Add(_timeout);
        command.Options.Add(Json);
    }

    /// <summary>The node, secret and deadline the command line gives, with the defaults filled in.</summary>
    public Target Read(ParseResult parse)
    {
        double seconds = parse.GetValue(_timeout);
        if (!(seconds > 0 && seconds <= 86_400))
        {
            throw new UsageException($"--timeout must be more than 0 and at most 86400 seconds (got {seconds}).");
        }

        var devCluster = DevClusterState.TryLoad(DevClusterState.DefaultDirectory);
        string node = parse.GetValue(_node) ?? devCluster?.Nodes.FirstOrDefault()?.Name ?? DefaultNode;
        string? secret = parse.GetValue(_secret) ?? Environment.GetEnvironmentVariable(SecretVariable) ?? devCluster?.Secret;
        _context.Node = CheckAddress("--node", node);
        return new Target(node, secret, TimeSpan.FromSeconds(seconds), parse.GetValue(Json));
    }

    /// <summary>The node address, refused with a usage error when it does not parse.</summary>
    public static string CheckAddress(string option, string node)
    {
        try
        {
            RingCore.Client.NodeEndpoint.Parse(node);
            return node;
        }
        catch (ArgumentException exception)
        {
            throw UsageException.For(option, exception);
        }
    }

    /// <summary>Where and how a live command calls.</summary>
    public sealed record Target(string Node, string? Secret, TimeSpan Timeout, bool Json);
}
