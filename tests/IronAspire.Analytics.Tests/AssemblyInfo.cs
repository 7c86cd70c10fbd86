// The fault tests stop the one shared RabbitMQ; nothing else may publish meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
