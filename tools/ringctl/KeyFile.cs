using System.Globalization;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// The keys of <c>--keys-from</c>: one hex key per line; blank lines and whitespace around a key
/// are ignored. The whole file is read and checked before anything is printed, so a script gets
/// either every answer or an error, never half a list.
/// </summary>
internal static class KeyFile
{
    private const string Option = "--keys-from";

    /// <summary>The keys in the file, in file order.</summary>
    /// <exception cref="UsageException">The file does not exist, or a line is not valid hex (the message gives the line number).</exception>
    public static IReadOnlyList<byte[]> Read(string path)
    {
        if (path.Length == 0)
        {
            throw new UsageException($"{Option}: the file name is empty.");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"{Option}: '{path}' is a directory, not a file of keys.");
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"{Option}: file not found: '{path}'.");
        }

        var keys = new List<byte[]>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!HexBytes.TryParse(line, out byte[] key, out string error))
            {
                throw new UsageException(
                    $"{Option} '{path}', line {lineNumber.ToString(CultureInfo.InvariantCulture)}: {error}");
            }

            keys.Add(key);
        }

        return keys;
    }
}
