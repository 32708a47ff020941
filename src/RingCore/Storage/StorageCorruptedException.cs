namespace RingCore.Storage;

/// <summary>
/// A store's files are missing, truncated or unreadable, so opening it would lose or invent data.
/// The message names the file or directory at fault. Raised instead of silently starting empty:
/// a vnode that restarts empty would serve stale reads and, worse, hand its emptiness off as truth.
/// </summary>
public sealed class StorageCorruptedException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public StorageCorruptedException(string message, string path, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file or directory found missing or corrupt.</summary>
    public string Path { get; }
}
