using System.Runtime.InteropServices;
using System.Text;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Small files that must survive a crash whole or not at all: written to a temporary file,
/// flushed to disk, renamed over the old one (rename is atomic), and the directory flushed too
/// so that the rename itself is durable (the usual recipe: write, fsync, rename, fsync the directory).
/// </summary>
internal static class DurableFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> atomically and durably.</summary>
    public static void WriteAllText(string path, string text)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(Encoding.UTF8.GetBytes(text));
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        FlushDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Appends <paramref name="text"/> to <paramref name="path"/> and flushes it to disk.</summary>
    public static void AppendAllText(string path, string text)
    {
        bool created = !File.Exists(path);
        using (var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(Encoding.UTF8.GetBytes(text));
            file.Flush(flushToDisk: true);
        }

        if (created)
        {
            FlushDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>
    /// Flushes a directory's entries (a rename or a new file in it) to disk. .NET opens no
    /// directory as a file, so on Unix this calls open and fsync directly; best effort, since
    /// some file systems refuse fsync on a directory, and Windows makes renames durable itself.
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int descriptor = Open(directory, 0); // O_RDONLY
        if (descriptor < 0)
        {
            return;
        }

        _ = Fsync(descriptor);
        _ = Close(descriptor);
    }

    // DllImport rather than LibraryImport: the generated stubs need unsafe code, which this
    // assembly does not allow (docs/architecture.md, rules for contributors); these three calls run once per file written.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);
#pragma warning restore SYSLIB1054
}
