using System.Globalization;
using System.Text;
using RingCore.Storage;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// The keys of <c>--keys-from</c>: one hex key per line; blank lines and whitespace around a key
/// are ignored. The whole file is read and checked before anything is printed, so a script gets
/// either every answer or an error, never half a list. A line is read only as far as the longest
/// key can reach, so a binary file without line breaks is refused without being held in memory.
/// </summary>
internal static class KeyFile
{
    private const string Option = "--keys-from";

    // The longest key in hex, with room for whitespace around it.
    private const int MaxLineLength = 2 * StorageLimits.MaxKeyBytes + 256;

    /// <summary>The keys in the file, in file order.</summary>
    /// <exception cref="UsageException">The file does not exist, or a line is not valid hex or not a valid key (the message gives the line number).</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
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
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var line = new StringBuilder();
        for (int lineNumber = 1; ReadLine(reader, line, out bool tooLong); lineNumber++)
        {
            string text = line.ToString();
            if (tooLong)
            {
                // Name the first bad character if the part read has one: it says "binary" best.
                int bad = HexBytes.FirstNonHexDigit(text.TrimStart());
                throw Problem(path, lineNumber, bad >= 0
                    ? HexBytes.NotHex(text.TrimStart(), bad)
                    : $"longer than {Count(MaxLineLength)} characters; a key is at most {Count(StorageLimits.MaxKeyBytes)} bytes ({Count(2 * StorageLimits.MaxKeyBytes)} hex digits).");
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!HexBytes.TryParse(text, out byte[] key, out string error))
            {
                throw Problem(path, lineNumber, error);
            }

            try
            {
                StorageLimits.CheckKey(key);
            }
            catch (ArgumentException exception)
            {
                throw Problem(path, lineNumber, UsageException.UserMessage(exception));
            }

            keys.Add(key);
        }

        return keys;
    }

    /// <summary>
    /// Reads the next line into <paramref name="line"/> (without its line break), at most
    /// <see cref="MaxLineLength"/> characters of it: past that it stops and sets <paramref name="tooLong"/>.
    /// </summary>
    /// <returns>False at the end of the file.</returns>
    private static bool ReadLine(StreamReader reader, StringBuilder line, out bool tooLong)
    {
        line.Clear();
        tooLong = false;
        int next = reader.Read();
        if (next < 0)
        {
            return false;
        }

        for (; next >= 0 && next != '\n'; next = reader.Read())
        {
            if (line.Length == MaxLineLength)
            {
                tooLong = true;
                return true;
            }

            line.Append((char)next);
        }

        if (line.Length > 0 && line[^1] == '\r')
        {
            line.Length--;
        }

        return true;
    }

    private static UsageException Problem(string path, int lineNumber, string message) =>
        new($"{Option} '{path}', line {Count(lineNumber)}: {message}");

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
