namespace RingCore.Daemon;

/// <summary>
/// The data directory's lock, held from ringd's start to its exit: a second ringd given the same
/// directory (by a copied command line or a shared default) fails its start instead of writing
/// its own ring over this node's ring file and opening the same stores. The lock is the OS's
/// (flock on Unix), so a killed process never leaves it held.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name in the data directory.</summary>
    public const string FileName = "ringd.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Creates the directory if needed and locks it.</summary>
    /// <exception cref="IOException">Another process holds it, or it cannot be written.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            Directory.CreateDirectory(directory);
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var pid = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            file.Write(pid);
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException error) when (IsHeldByAnother(error))
        {
            throw new IOException(
                $"RingCore:DataDirectory '{directory}' is in use by another ringd (it holds '{path}'); give each node its own data directory.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"RingCore:DataDirectory '{directory}' cannot be locked for writing ({error.Message}).", error);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>EWOULDBLOCK from flock on Unix (.NET reports the errno as the HResult), a sharing or lock violation on Windows.</summary>
    private static bool IsHeldByAnother(IOException error) =>
        OperatingSystem.IsWindows()
            ? (error.HResult & 0xFFFF) is 32 or 33
            : error.HResult is 11 or 35; // EAGAIN on Linux, on macOS
}
