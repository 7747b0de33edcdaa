def plot(run, directory):
    return []
