using Xunit;

// WebApplicationFactory finds the host it starts through a process-wide listener, so two factories starting at the
// same moment can each be handed the other's host ("Addresses cannot be modified after the server has started").
// One test class at a time keeps them apart.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
