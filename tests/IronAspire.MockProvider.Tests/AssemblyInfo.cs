using Xunit;

// WebApplicationFactory finds the host it starts through a process-wide listener, so two factories starting at the
// same moment can each be handed the other's host ("Addresses cannot be modified after the server has started").
// These tests take seconds; they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
