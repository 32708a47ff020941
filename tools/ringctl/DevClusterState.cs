using System.Text.Json;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// The state file of a development cluster (<c>&lt;dir&gt;/devcluster.json</c>): the secret its
/// nodes share and each node's name, process id and directory, so that <c>devcluster down</c>
/// and <c>status</c> find the processes, and the live commands default to its first node and secret.
/// </summary>
internal sealed record DevClusterState(string Secret, int RingSize, List<DevClusterState.Node> Nodes)
{
    public const string DefaultDirectory = "devcluster";
    public const string FileName = "devcluster.json";
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public sealed record Node(string Name, int Pid, string Directory, string Log);

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>The state in <paramref name="directory"/>, or null when there is none (or it does not parse: it is only a default then).</summary>
    public static DevClusterState? TryLoad(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DevClusterState>(File.ReadAllText(path), Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the state atomically (a temporary file renamed over the old one).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = PathIn(directory);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Options));
        File.Move(temporary, path, overwrite: true);
    }
}
