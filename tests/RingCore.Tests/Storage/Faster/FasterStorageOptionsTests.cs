using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Tests.Storage.Faster;

/// <summary>A bad FASTER setting fails at start with the setting's name in the message.</summary>
public sealed class FasterStorageOptionsTests
{
    [Fact]
    public void Defaults_are_valid_once_a_directory_is_set() =>
        new FasterStorageOptions { DataDirectory = Path.GetTempPath() }.Validate();

    [Fact]
    public void Default_commit_mode_acknowledges_after_commit() =>
        Assert.Equal(FasterCommitMode.CommitBeforeAcknowledge, new FasterStorageOptions().CommitMode);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Data_directory_is_required(string? directory)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new FasterStorageOptions { DataDirectory = directory }.Validate());
        Assert.Equal("FasterStorageOptions.DataDirectory must be set. (Parameter 'DataDirectory')", error.Message);
    }

    [Fact]
    public void Provider_validates_its_options() =>
        Assert.Contains("FasterStorageOptions.DataDirectory", Assert.ThrowsAny<ArgumentException>(() => new FasterVNodeStoreProvider(new FasterStorageOptions())).Message);

    [Fact]
    public async Task Negative_partition_is_rejected() =>
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(() => FasterTestStores.OpenAsync(-1, new FasterStorageOptions { DataDirectory = Path.GetTempPath() }).AsTask());

    [Theory]
    [InlineData("LogPageSize", 3000)]
    [InlineData("LogPageSize", 2048)]
    [InlineData("LogMemorySize", 100_000)]
    [InlineData("LogMemorySize", 4096)]
    [InlineData("IndexSize", 0)]
    [InlineData("IndexSize", 1L << 31)]
    public void Sizes_must_be_powers_of_two_in_range(string setting, long value)
    {
        var options = new FasterStorageOptions { DataDirectory = Path.GetTempPath() };
        typeof(FasterStorageOptions).GetProperty(setting)!.SetValue(options, value);

        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);

        Assert.Contains($"FasterStorageOptions.{setting}", error.Message);
    }

    [Fact]
    public void Log_memory_must_hold_two_pages()
    {
        var options = new FasterStorageOptions { DataDirectory = Path.GetTempPath(), LogPageSize = 64 * 1024, LogMemorySize = 64 * 1024 };

        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);

        Assert.Contains("FasterStorageOptions.LogMemorySize", error.Message);
        Assert.Contains("two pages", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(7_200_000)]
    public void Commit_interval_must_be_from_a_millisecond_to_an_hour(int milliseconds)
    {
        var options = new FasterStorageOptions { DataDirectory = Path.GetTempPath(), CommitInterval = TimeSpan.FromMilliseconds(milliseconds) };

        Assert.Contains("FasterStorageOptions.CommitInterval", Assert.ThrowsAny<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void Unknown_commit_mode_is_rejected()
    {
        var options = new FasterStorageOptions { DataDirectory = Path.GetTempPath(), CommitMode = (FasterCommitMode)9 };

        Assert.Contains("FasterStorageOptions.CommitMode", Assert.ThrowsAny<ArgumentException>(options.Validate).Message);
    }
}
